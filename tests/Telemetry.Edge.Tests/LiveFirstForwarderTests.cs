using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;
using Telemetry.Testing;
using Telemetry.Testing.Peers;
using Xunit.Abstractions;
using static Telemetry.Edge.Tests.LiveFirstTestKit;

namespace Telemetry.Edge.Tests;

/// <summary>
/// Live first after an outage, against a real InfluxDB 1.x behind a cut-able loopback proxy: 10 minutes of plant
/// data pile up while the link is cut; once it is back, fresh samples reach the store within 1 s while the backlog
/// drains behind them at its cap, and at the end every sample is stored exactly once.
/// </summary>
public class LiveFirstForwarderTests(ITestOutputHelper output)
{
    private const int Machines = 8;

    [Fact]
    public async Task Forward_AfterTenMinuteOutage_FreshWithinOneSecondWhileBacklogDrainsAtCap()
    {
        const int cap = 40_000;
        await using var influx = await InfluxDbPeer.StartAsync();
        await influx.CreateDatabaseAsync("plant");
        await using var proxy = new LoopbackProxy(influx.Port);
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));

        // the outage: the link is cut while 10 minutes of plant data pile up (back-dated, written in one go; the
        // forwarder starts when they are in, so that it finds them as it would after 10 real minutes)
        proxy.Cut();
        var backlog = Plant(Machines, minutes: 10, stepMs: 100, UnixTime.Now(TimeProvider.System) - (15L * 60 * 1_000_000_000)); // 192,000 samples
        await AppendAsync(spool, backlog, batchSize: 400);
        using var forwarder = new Forwarder(spool, StoreOptions(proxy.Port, cap), NullLogger<Forwarder>.Instance);
        await forwarder.StartAsync(CancellationToken.None);
        await ForwarderTestKit.WaitUntilAsync(() => forwarder.Status.State == ForwarderLinkState.Retrying, TimeSpan.FromSeconds(20), () => forwarder.Status.State.ToString());
        proxy.Restore();

        // the link is up again once the retries (and the circuit breaker, open after the cut) let the first batch through
        await ForwarderTestKit.WaitUntilAsync(() => forwarder.Status.BacklogDeliveredSamples > 0, TimeSpan.FromSeconds(30), () => forwarder.Status.State.ToString());
        var probe = new FreshProbe(spool);
        var drained = new List<(TimeSpan At, long Samples)>();
        var drainRates = new List<double>();
        var clock = Stopwatch.StartNew();
        while ((forwarder.Status.BacklogLane != BacklogLaneState.Inactive || probe.Count < 5) && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            await probe.AppendAsync(duringDrain: forwarder.Status.BacklogLane == BacklogLaneState.Draining);
            drained.Add((clock.Elapsed, forwarder.Status.BacklogDeliveredSamples));
            drainRates.Add(forwarder.Status.BacklogDrainRate);
            await Task.Delay(100);
        }

        await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
        drained.Add((clock.Elapsed, forwarder.Status.BacklogDeliveredSamples));
        await forwarder.StopAsync(CancellationToken.None);
        var latencies = await probe.LatenciesAsync(duringDrainOnly: true);

        // fresh samples first: each one appended while the backlog drained was acknowledged within 1 s
        output.WriteLine($"fresh samples during the drain: {latencies.Count}, append → 2xx ack p50 {Percentile(latencies, 0.5):F1} ms, max {latencies.Max():F1} ms");
        Assert.True(latencies.Count >= 10, $"only {latencies.Count} fresh samples were appended while the backlog drained");
        Assert.All(latencies, ms => Assert.True(ms < 1000, $"a fresh sample took {ms:F0} ms"));

        // the backlog drains behind them at the cap: from its first to its last delivery
        var start = drained.First(d => d.Samples > 0);
        var end = drained.First(d => d.Samples >= backlog.Count);
        var rate = (end.Samples - start.Samples) / (end.At - start.At).TotalSeconds;
        output.WriteLine($"backlog {backlog.Count} samples, drained at {rate:F0} samples/s (cap {cap}); status drain rate max {drainRates.Max():F0}/s");
        Assert.InRange(rate, cap * 0.5, cap * 1.25);
        Assert.InRange(drainRates.Max(), 1, cap * 1.5);
        Assert.Equal(backlog.Count, forwarder.Status.BacklogDeliveredSamples);

        await AssertStoredExactlyOnceAsync(influx, stepsPerMachine: 6000, fresh: probe.Count);
    }

    [Fact]
    public async Task Forward_KilledAndRestartedMidDrain_NothingLostNoneTwice()
    {
        const int cap = 25_000;
        await using var influx = await InfluxDbPeer.StartAsync();
        await influx.CreateDatabaseAsync("plant");
        await using var proxy = new LoopbackProxy(influx.Port);
        using var dir = new TempDirectory("spool");
        var options = StoreOptions(proxy.Port, cap);
        var backlog = Plant(Machines, minutes: 5, stepMs: 100, UnixTime.Now(TimeProvider.System) - (15L * 60 * 1_000_000_000)); // 96,000 samples
        long firstLife;
        var freshCount = 0;
        var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        try
        {
            proxy.Cut();
            await AppendAsync(spool, backlog, batchSize: 400);
            using var forwarder = new Forwarder(spool, options, NullLogger<Forwarder>.Instance);
            await forwarder.StartAsync(CancellationToken.None);
            await ForwarderTestKit.WaitUntilAsync(() => forwarder.Status.State == ForwarderLinkState.Retrying, TimeSpan.FromSeconds(20), () => forwarder.Status.State.ToString());
            proxy.Restore();
            var probe = new FreshProbe(spool, measure: false);
            var clock = Stopwatch.StartNew();
            while (forwarder.Status.BacklogDeliveredSamples < backlog.Count / 4 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await probe.AppendAsync(duringDrain: true);
                await Task.Delay(100);
            }

            freshCount = probe.Count;
            Assert.Equal(BacklogLaneState.Draining, forwarder.Status.BacklogLane); // killed mid-drain
            await forwarder.StopAsync(CancellationToken.None);
            firstLife = forwarder.Status.BacklogDeliveredSamples; // after the stop: requests in flight may still be acknowledged
        }
        finally
        {
            await spool.DisposeAsync();
        }

        await using (spool = await Spool.OpenAsync(new SpoolOptions(dir.Path)))
        {
            using var forwarder = new Forwarder(spool, options, NullLogger<Forwarder>.Instance);
            await forwarder.StartAsync(CancellationToken.None);
            var probe = new FreshProbe(spool, firstIndex: freshCount, measure: false);
            var clock = Stopwatch.StartNew();
            while ((forwarder.Status.BacklogLane != BacklogLaneState.Inactive || probe.Count < 5) && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await probe.AppendAsync(duringDrain: true);
                await Task.Delay(100);
            }

            await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
            await forwarder.StopAsync(CancellationToken.None);
            freshCount += probe.Count;
            output.WriteLine($"backlog {backlog.Count}: {firstLife} delivered before the kill, {forwarder.Status.BacklogDeliveredSamples} after the restart (records acknowledged above the cursor come again)");
            Assert.True(forwarder.Status.BacklogDeliveredSamples >= backlog.Count - firstLife);
        }

        await AssertStoredExactlyOnceAsync(influx, stepsPerMachine: 3000, fresh: freshCount);
    }

    private static DatacenterOptions StoreOptions(int port, int cap) => new()
    {
        Kind = DatacenterKind.InfluxDb1,
        BaseUri = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"),
        EdgeId = "edge-live-first",
        Database = "plant",
        MaxInFlight = 4,
        MaxRetryDelay = TimeSpan.FromSeconds(1),
        RequestTimeout = TimeSpan.FromSeconds(10),
        Backlog = new BacklogOptions { MaxSamplesPerSecond = cap },
    };

    /// <summary>Each machine and tag: every step exactly once; the fresh machine: one point per fresh append.</summary>
    private static async Task AssertStoredExactlyOnceAsync(InfluxDbPeer influx, int stepsPerMachine, int fresh)
    {
        var json = await influx.QueryAsync(
            "SELECT count(\"speed\"), count(\"count\"), count(\"running\"), count(\"mode\") FROM machine WHERE \"site\"='plant-a' GROUP BY \"machine\"", "plant");
        var counts = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var series in JsonDocument.Parse(json).RootElement.GetProperty("results")[0].GetProperty("series").EnumerateArray())
        {
            var row = series.GetProperty("values")[0];
            counts[series.GetProperty("tags").GetProperty("machine").GetString()!] = [row[1].GetInt64(), row[2].GetInt64(), row[3].GetInt64(), row[4].GetInt64()];
        }

        for (var m = 0; m < Machines; m++)
        {
            Assert.Equal([stepsPerMachine, stepsPerMachine, stepsPerMachine, stepsPerMachine], counts[$"m{m}"]);
        }

        Assert.Equal([fresh, fresh, fresh, fresh], counts["fresh"]);
        Assert.Equal(Machines + 1, counts.Count);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    /// <summary>Appends one fresh reading at a time and measures append → acknowledged by the forwarder (after its 2xx).</summary>
    private sealed class FreshProbe(Spool spool, int firstIndex = 0, bool measure = true)
    {
        private readonly List<(long Sequence, long Appended, bool DuringDrain, Task<double> Acked)> _appended = [];

        public int Count => _appended.Count;

        public async Task AppendAsync(bool duringDrain)
        {
            var now = UnixTime.Now(TimeProvider.System);
            using var batch = Fresh(now, now, firstIndex + _appended.Count);
            var appended = Stopwatch.GetTimestamp();
            await spool.WriteAsync(batch);
            var sequence = spool.DurableNextSequence - 1; // the only writer: this reading's record
            _appended.Add((sequence, appended, duringDrain, measure ? WaitAckedAsync(sequence, appended) : Task.FromResult(0.0)));
        }

        public async Task<List<double>> LatenciesAsync(bool duringDrainOnly)
        {
            var result = new List<double>();
            foreach (var entry in _appended)
            {
                if (!duringDrainOnly || entry.DuringDrain)
                {
                    result.Add(await entry.Acked);
                }
            }

            return result;
        }

        private async Task<double> WaitAckedAsync(long sequence, long appended)
        {
            var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
            while (!spool.IsAcknowledged(sequence) && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(2);
            }

            return Stopwatch.GetElapsedTime(appended).TotalMilliseconds;
        }
    }
}
