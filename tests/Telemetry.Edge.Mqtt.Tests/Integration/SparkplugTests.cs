using Telemetry.Core;
using Telemetry.Edge.Mqtt.Tests.Fixtures;
using Telemetry.Testing.Peers;

namespace Telemetry.Edge.Mqtt.Tests.Integration;

/// <summary>Sparkplug B from an independent implementation (Eclipse Tahu's JS payload library + MQTT.js) via Mosquitto.</summary>
public sealed class SparkplugTests
{
    private const long T0 = 1_700_000_000_000L * 1_000_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static MqttSourceOptions Options(MosquittoPeer broker, string clientId) => TestOptions.Source(
        broker,
        clientId,
        persistent: false,
        filter: "spBv1.0/#",
        rules: [new MqttMappingRule { Topic = "spBv1.0/#", Site = "s1", Format = MqttPayloadFormat.SparkplugB }]);

    private static long Ms(long offset) => T0 + (offset * 1_000_000);

    [Fact]
    public async Task RunAsync_TahuNodeBirthDataDeath_NamedSamplesWithOwnTimestampsAndOfflineMarks()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var source = new MqttSource(Options(broker, "host-lifecycle"));
        await using var runner = new SourceRunner(source, spool.Spool);
        await runner.WaitConnectedAsync();
        await SparkplugNodePeer.RunAsync(broker.Host, broker.Port, "lifecycle");
        var all = await spool.WaitForAsync(s => s.Count >= 19, Wait, "19 Sparkplug samples");
        Assert.Equal(0, source.GetStatistics().MessagesRejected);

        Sample One(string machine, string tag, long time) => Assert.Single(all, s => s.Path.Machine == machine && s.Path.Tag == tag && s.SourceTimeNs == time);
        Assert.Equal("s1/G1/E1/E1/Temperature", One("E1", "Temperature", Ms(1)).Path.ToString());
        Assert.Equal(20.25, One("E1", "Temperature", Ms(1)).Value.AsDouble());
        Assert.True(One("E1", "Running", Ms(1)).Value.AsBoolean());
        Assert.Equal(7, One("E1", "Count", Ms(1)).Value.AsInt64());
        Assert.Equal(1.5, One("press1", "Pressure", Ms(2)).Value.AsDouble());
        Assert.Equal("auto", One("press1", "Mode", Ms(2)).Value.AsString());
        Assert.Equal(-123456789012, One("press1", "Axis.Position", Ms(2)).Value.AsInt64());
        Assert.Equal(21.5, One("E1", "Temperature", Ms(3)).Value.AsDouble());
        Assert.Equal(-5, One("E1", "Count", Ms(4)).Value.AsInt64());
        Assert.Equal(2.5, One("press1", "Pressure", Ms(5)).Value.AsDouble());
        Assert.True(One("press1", "Mode", Ms(6)).Value.IsNull);

        // DDEATH marks the device's metrics, NDEATH (matching bdSeq) the node's.
        var deviceDeath = all.Where(s => s.SourceTimeNs == Ms(20)).ToList();
        Assert.Equal(3, deviceDeath.Count);
        Assert.All(deviceDeath, s => Assert.Equal(Quality.BadNoCommunication, s.Quality));
        var nodeDeath = all.Where(s => s.SourceTimeNs == T0).ToList();
        Assert.Equal(6, nodeDeath.Count);
        Assert.All(nodeDeath, s => Assert.True(s.Value.IsNull && s.Quality == Quality.BadNoCommunication));
        Assert.DoesNotContain(all, s => s.Path.Tag is "bdSeq" || s.Path.Tag.StartsWith("Node Control", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_UnknownAliasThenSequenceGap_RebirthRequestedEachTime()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var source = new MqttSource(Options(broker, "host-rebirth"));
        await using var runner = new SourceRunner(source, spool.Spool);
        await runner.WaitConnectedAsync();
        var log = await SparkplugNodePeer.RunAsync(broker.Host, broker.Port, "rebirth");
        Assert.Equal(2, log.Split('\n').Count(l => l.Contains("NCMD-rebirth", StringComparison.Ordinal)));
        var stats = source.GetStatistics();
        Assert.Equal(2, stats.RebirthRequests);
        Assert.Equal(1, stats.RejectedByReason[MqttRejectReason.SparkplugUnknownAlias]);
        var all = await spool.WaitForAsync(s => s.Any(x => x.SourceTimeNs == Ms(50)), Wait, "the value after the gap");
        Assert.Equal(30.5, Assert.Single(all, s => s.SourceTimeNs == Ms(40)).Value.AsDouble());
    }

    [Fact]
    public async Task RunAsync_LateStaleNodeDeath_RebornNodeStaysOnline()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var source = new MqttSource(Options(broker, "host-stale"));
        await using var runner = new SourceRunner(source, spool.Spool);
        await runner.WaitConnectedAsync();
        await SparkplugNodePeer.RunAsync(broker.Host, broker.Port, "stale-death");
        var all = await spool.WaitForAsync(s => s.Any(x => x.Quality == Quality.BadNoCommunication), Wait, "the real death");
        await Task.Delay(300);
        all = spool.ReadAll();
        var temperature = all.Where(s => s.Path.Tag == "Temperature").ToList();
        // Birth 0, birth 1, data 40.5, data 41.5 after the stale death, then exactly one offline mark (bdSeq 1).
        Assert.Equal([20.25, 20.25, 40.5, 41.5], temperature.Where(s => s.Quality.IsGood).Select(s => s.Value.AsDouble()));
        var offline = Assert.Single(temperature, s => s.Quality == Quality.BadNoCommunication);
        Assert.Same(temperature[^1].Path, offline.Path);
        Assert.Equal(offline, temperature[^1]);
    }

    [Fact]
    public async Task RunAsync_SparkplugHostId_PublishesRetainedOnlineState()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var source = new MqttSource(Options(broker, "host-state") with { SparkplugHostId = "edge-host" });
        await using (var runner = new SourceRunner(source, spool.Spool))
        {
            await runner.WaitConnectedAsync();
            await Task.Delay(200);
        }

        // Retained: a subscriber that comes later still sees it.
        var state = await MosquittoSourceTests.RunToolAsync("mosquitto_sub", "-h", broker.Host, "-p", broker.Port.ToString(), "-t", "spBv1.0/STATE/edge-host", "-C", "1", "-W", "10");
        Assert.StartsWith("{\"online\":true,\"timestamp\":", state, StringComparison.Ordinal);
    }
}
