using System.Diagnostics;
using System.Globalization;
using System.Text;
using Telemetry.Ingest.Configuration;
using Telemetry.Testing;
using Xunit.Abstractions;

namespace Telemetry.EndToEnd.Tests;

/// <summary>
/// kill -9 of the edge agent process under steady load: a device publishes numbered samples (QoS 1) to the real
/// `telemetry-edge` process's MQTT broker, the edge forwards them to telemetry-ingest and InfluxDB 1.x; the process
/// is killed (SIGKILL) six times at random moments and started again on the same data folder. Every sample the
/// edge had accepted (PUBACKed: durable in its spool) must be in the store, once per identity (series, timestamp).
/// Samples sent twice (the device's re-send after a kill, the edge's re-send of records acknowledged above the
/// spool's persisted cursor) are idempotent overwrites in the store; the test counts and reports them.
/// </summary>
public sealed class EdgeKillTests(ITestOutputHelper output)
{
    private const int Kills = 6;
    private const int Machines = 4;
    private const long BaseTimeMs = 1_790_000_000_000;

    [Fact]
    public async Task EdgeProcessKilled9_UnderSteadyLoad_EveryAcceptedSampleStoredOncePerIdentity()
    {
        var watch = Stopwatch.StartNew();
        await using var rig = await EndToEndRig.StartAsync(StoreKind.InfluxDb1, inProcessEdge: false);
        using var dir = new TempDirectory("e2e-kill9");
        var mqttPort = FreePort.Get();
        var config = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(config, EdgeAgentChild.BrokerConfig(dir.Combine("data"), FreePort.Get(), mqttPort, new Uri($"http://127.0.0.1:{rig.EdgeLink.Port}/")));
        var environment = new Dictionary<string, string> { ["TELEMETRY_TOKEN"] = EndToEndRig.Token };

        await using var device = new DevicePublisher(
            "127.0.0.1",
            mqttPort,
            id => string.Create(CultureInfo.InvariantCulture, $"dev/m{id % Machines}/v"),
            id => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"ts":{{BaseTimeMs + id}},"v":{{id}}}""")));
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        EdgeAgentChild? edge = await EdgeAgentChild.StartAsync(config, mqttPort, environment);
        var publishing = device.RunAsync(perSecond: 800, window: 64, stop.Token, abort.Token);
        var random = new Random(9);
        var kills = new List<string>();
        try
        {
            for (var k = 0; k < Kills; k++)
            {
                await Task.Delay(random.Next(2000, 4500), abort.Token);
                Assert.False(publishing.IsCompleted, $"the device stopped: {publishing.Exception}");
                Assert.False(edge.HasExited, $"the edge exited by itself: {edge.Output}");
                var acceptedBefore = device.Acknowledged.Count;
                await edge.KillAsync();
                kills.Add(string.Create(CultureInfo.InvariantCulture, $"{acceptedBefore} accepted at kill {k + 1}"));
                await edge.DisposeAsync();
                edge = null;
                edge = await EdgeAgentChild.StartAsync(config, mqttPort, environment);
            }

            await Task.Delay(2000, abort.Token);
            await stop.CancelAsync();
            try
            {
                await publishing; // every id the device generated is acknowledged now
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                // seen once in CI (2026-12-02): the device still re-sending at the 150 s abort; say what it saw
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"the device did not get every id acknowledged within 150 s: {device.Next} ids, {device.Acknowledged.Count} acknowledged, {device.FailedPublishes} failed publishes (last: {device.LastFailure ?? "-"}), {device.Resent} re-sent; kills: {string.Join("; ", kills)}; edge: {edge?.Output}"));
            }

            var accepted = device.Acknowledged.ToHashSet();
            Assert.Equal(device.Next, accepted.Count);

            // the edge drains its spool into the ingest; then the store must hold each accepted sample
            var counters = rig.Ingest.Services.Counters.Site(EndToEndRig.Site);
            Dictionary<(string Machine, string Tag, long TimeNs), System.Text.Json.JsonElement> stored = [];
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (Interlocked.Read(ref counters.Points) >= accepted.Count)
                {
                    stored = await rig.ReadInfluxAsync();
                    if (stored.Count >= accepted.Count || DateTime.UtcNow > deadline)
                    {
                        break;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, $"the ingest received {Interlocked.Read(ref counters.Points)} of {accepted.Count} points in time; edge: {edge!.Output}");
                await Task.Delay(500, abort.Token);
            }

            var storedIds = new HashSet<long>();
            foreach (var ((machine, tag, timeNs), value) in stored)
            {
                var id = (timeNs / 1_000_000) - BaseTimeMs;
                Assert.Equal("v", tag);
                Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"m{id % Machines}"), machine);
                Assert.Equal(id, value.GetInt64());
                Assert.True(id >= 0 && id < device.Next, $"the store holds id {id}, which the device never sent");
                Assert.True(storedIds.Add(id), $"id {id} stored twice");
            }

            var missing = accepted.Where(id => !storedIds.Contains(id)).Order().Take(10).ToList();
            var received = Interlocked.Read(ref counters.Points);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Kills} kill -9 of telemetry-edge in {watch.Elapsed.TotalSeconds:F1} s ({string.Join("; ", kills)}); {accepted.Count} samples accepted by the edge; " +
                $"{device.Resent} re-sent by the device after a kill; {received} points received by the ingest; {stored.Count} distinct (series, time) in InfluxDB; " +
                $"{received - stored.Count} duplicates overwritten idempotently; gaps in the ingest's loss ledger: {rig.Ingest.Services.Ledger.Gaps().Count}"));
            Assert.True(missing.Count == 0, $"{accepted.Count - storedIds.Count} accepted samples missing from the store, e.g. ids {string.Join(", ", missing)}");
            Assert.Equal(accepted.Count, stored.Count);
            Assert.Empty(rig.Ingest.Services.Ledger.Gaps());
            // 800/s asked; a loaded 2-core machine gets ~250-500/s through the restarts
            Assert.True(accepted.Count > 2000, $"only {accepted.Count} samples accepted: not a steady load");
        }
        finally
        {
            await abort.CancelAsync();
            await Task.WhenAny(publishing);
            if (edge is not null)
            {
                await edge.DisposeAsync();
            }
        }
    }
}
