using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;
using Telemetry.Testing;
using Telemetry.Testing.Peers;
using static Telemetry.Edge.Tests.ForwarderTestKit;

namespace Telemetry.Edge.Tests;

/// <summary>The forwarder against the real stores: spool → line protocol → InfluxDB 1.x / VictoriaMetrics.</summary>
public class ForwarderStoreTests
{
    [Fact]
    public async Task Forward_ToInfluxDb1_EverySampleQueriedBackExactly()
    {
        await using var influx = await InfluxDbPeer.StartAsync();
        await influx.CreateDatabaseAsync("plant");
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var samples = MakeSamples(perSeries: 300, machines: 3);
        await AppendAsync(spool, samples);

        using var forwarder = new Forwarder(spool, Options(DatacenterKind.InfluxDb1, influx.BaseAddress) with { MaxBatchSamples = 700 }, NullLogger<Forwarder>.Instance);
        await forwarder.StartAsync(CancellationToken.None);
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(60));
        await forwarder.StopAsync(CancellationToken.None);

        Assert.Equal(samples.Count, forwarder.Status.DeliveredSamples);
        foreach (var machine in new[] { "m0", "m1", "m2" })
        {
            foreach (var tag in Tags)
            {
                var expected = samples.Where(s => s.Path.Machine == machine && s.Path.Tag == tag).ToList();
                var json = await influx.QueryAsync($"SELECT \"{tag}\" FROM machine WHERE \"machine\"='{machine}' AND \"site\"='plant-a' AND \"line\"='line,1'", "plant");
                var rows = JsonDocument.Parse(json).RootElement.GetProperty("results")[0].GetProperty("series")[0].GetProperty("values");
                Assert.Equal(expected.Count, rows.GetArrayLength());
                var i = 0;
                foreach (var row in rows.EnumerateArray())
                {
                    var s = expected[i++];
                    Assert.Equal(s.SourceTimeNs, row[0].GetInt64());
                    switch (s.Value.Kind)
                    {
                        case SampleValueKind.Double: Assert.Equal(s.Value.AsDouble(), row[1].GetDouble()); break;
                        case SampleValueKind.Int64: Assert.Equal(s.Value.AsInt64(), row[1].GetInt64()); break;
                        case SampleValueKind.Boolean: Assert.Equal(s.Value.AsBoolean(), row[1].GetBoolean()); break;
                        default: Assert.Equal(s.Value.AsString(), row[1].GetString()); break;
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Forward_ToVictoriaMetrics_NumericSamplesExportedExactly()
    {
        await using var vm = await VictoriaMetricsPeer.StartAsync();
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var samples = MakeSamples(perSeries: 200, machines: 2).Where(s => s.Path.Tag is "speed" or "count").ToList();
        await AppendAsync(spool, samples);

        using var forwarder = new Forwarder(spool, Options(DatacenterKind.VictoriaMetrics, vm.BaseAddress), NullLogger<Forwarder>.Instance);
        await forwarder.StartAsync(CancellationToken.None);
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(60));
        await forwarder.StopAsync(CancellationToken.None);

        foreach (var tag in new[] { "speed", "count" })
        {
            var exported = new Dictionary<string, List<(long Ms, double Value)>>();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            do
            {
                await vm.ForceFlushAsync();
                exported = ParseExport(await vm.ExportAsync($"machine_{tag}"));
            }
            while (exported.Values.Sum(v => v.Count) < 400 && DateTime.UtcNow < deadline);

            foreach (var machine in new[] { "m0", "m1" })
            {
                var expected = samples.Where(s => s.Path.Machine == machine && s.Path.Tag == tag)
                    .Select(s => (s.SourceTimeNs / 1_000_000, s.Value.AsDouble())).ToList();
                Assert.Equal(expected, exported[machine]);
            }
        }
    }

    private static Dictionary<string, List<(long Ms, double Value)>> ParseExport(string body)
    {
        var result = new Dictionary<string, List<(long, double)>>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var doc = JsonDocument.Parse(line).RootElement;
            var machine = doc.GetProperty("metric").GetProperty("machine").GetString()!;
            var values = doc.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToList();
            var times = doc.GetProperty("timestamps").EnumerateArray().Select(t => t.GetInt64()).ToList();
            result[machine] = times.Zip(values).ToList();
        }

        return result;
    }

    internal static DatacenterOptions Options(DatacenterKind kind, Uri uri) => new()
    {
        Kind = kind,
        BaseUri = uri,
        EdgeId = "edge-test",
        Database = "plant",
        MaxRetryDelay = TimeSpan.FromSeconds(1),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };
}
