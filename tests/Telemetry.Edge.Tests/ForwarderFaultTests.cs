using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;
using Telemetry.Testing;
using Telemetry.Testing.Peers;
using static Telemetry.Edge.Tests.ForwarderTestKit;

namespace Telemetry.Edge.Tests;

/// <summary>Outages and refusals: nothing the spool holds is lost or acknowledged before the store has it.</summary>
public class ForwarderFaultTests
{
    [Fact]
    public async Task Forward_LinkCutThenRestored_NothingLostNothingAcknowledgedEarly()
    {
        await using var influx = await InfluxDbPeer.StartAsync();
        await influx.CreateDatabaseAsync("plant");
        await using var proxy = new LoopbackProxy(influx.Port);
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var options = ForwarderStoreTests.Options(DatacenterKind.InfluxDb1, new Uri($"http://127.0.0.1:{proxy.Port}/"));
        using var forwarder = new Forwarder(spool, options, NullLogger<Forwarder>.Instance);
        await forwarder.StartAsync(CancellationToken.None);

        var before = MakeSamples(perSeries: 100, machines: 2);
        await AppendAsync(spool, before);
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));

        proxy.Cut();
        var during = MakeSamples(perSeries: 100, machines: 2, timeOffsetMs: 100);
        await AppendAsync(spool, during);
        var acknowledgedDuringCut = spool.AcknowledgedBelow;
        await WaitUntilAsync(() => forwarder.Status.State == ForwarderLinkState.Retrying, TimeSpan.FromSeconds(20), () => forwarder.Status.State.ToString());
        await Task.Delay(1500);
        Assert.Equal(acknowledgedDuringCut, spool.AcknowledgedBelow);

        proxy.Restore();
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(60));
        await forwarder.StopAsync(CancellationToken.None);

        var json = await influx.QueryAsync("SELECT count(\"speed\") FROM machine", "plant");
        Assert.Contains($"[0,{before.Count / 4 + during.Count / 4}]", json.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(ForwarderLinkState.Connected, forwarder.Status.State);
    }

    [Fact]
    public async Task Forward_StoreRefusesBatch_QuarantinedWithMessageAndStreamGoesOn()
    {
        await using var influx = await InfluxDbPeer.StartAsync();
        await influx.CreateDatabaseAsync("plant");
        // "speed" becomes an integer field in that shard first: our float samples then conflict (HTTP 400).
        using (var http = new HttpClient())
        {
            using var content = new StringContent($"machine,area=area\\ 1,line=line\\,1,machine=m0,site=plant-a speed=1i {BaseTimeNs + 500_000_000_000}\n");
            using var response = await http.PostAsync(influx.WriteUri("plant"), content);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        using var dir = new TempDirectory("spool");
        using var quarantineDir = new TempDirectory("quarantine");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var options = ForwarderStoreTests.Options(DatacenterKind.InfluxDb1, influx.BaseAddress) with { QuarantineDirectory = quarantineDir.Path };
        using var forwarder = new Forwarder(spool, options, NullLogger<Forwarder>.Instance);
        await forwarder.StartAsync(CancellationToken.None);

        await AppendAsync(spool, MakeSamples(perSeries: 10, machines: 1));
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
        var later = MakeSamples(perSeries: 10, machines: 3).Where(s => s.Path.Machine == "m2" && s.Path.Tag != "speed").ToList();
        await AppendAsync(spool, later);
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
        await forwarder.StopAsync(CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(quarantineDir.Path, "*.lp"));
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains("# refused by the datacenter with HTTP 400", text, StringComparison.Ordinal);
        Assert.Contains("field type conflict", text, StringComparison.Ordinal);
        Assert.Contains("machine=m0", text, StringComparison.Ordinal);
        Assert.True(forwarder.Status.RejectedSamples > 0);
        var json = await influx.QueryAsync("SELECT count(\"count\") FROM machine WHERE \"machine\"='m2'", "plant");
        Assert.Contains("[0,10]", json, StringComparison.Ordinal);
    }
}
