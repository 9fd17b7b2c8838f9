using Telemetry.Core;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Storage;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>
/// The source against the node-opcua PLC, writing into a real spool: an agent that dies without closing its session
/// is taken over by the next one (nothing the PLC held is lost), and a new session resolves browse rules again.
/// </summary>
[Collection(OpcUaSourceCollection.Name)]
public sealed class OpcUaSourceResumeTests
{
    [Fact]
    public async Task RunAsync_AgentDiedWithoutClosingSession_NextAgentTakesOverAndEveryCounterStepIsInSpoolOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        await using var proxy = new LoopbackProxy(plc.Port);
        using var dir = new TempDirectory("opcua-resume");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = OpcUaSourceTests.Load($"opc.tcp://127.0.0.1:{proxy.Port}", """
                  - { node: "nsu=urn:telemetry:plc;s=Counter", machine: plc-1, tag: counter, sampling_interval: 0ms, queue_size: 1000 }
            """) with { ResumeStateDirectory = dir.Combine("state"), SessionTimeout = TimeSpan.FromSeconds(30) };
        using var tail = new SpoolTail(spool);

        using var firstStop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var first = new OpcUaSource(options) { AbandonSessionOnStop = true };
        var firstRun = first.RunAsync(spool, firstStop.Token);
        await tail.WaitUntilAsync(t => t.Of("plc-1", "counter").Count >= 10, TimeSpan.FromSeconds(30), "counter values");

        // Publish responses now never arrive; then the agent dies (no CloseSession) and its socket drops.
        proxy.Blackhole();
        await Task.Delay(1500, cts.Token);
        await firstStop.CancelAsync();
        await firstRun;
        proxy.Sever();
        var diedAt = tail.Of("plc-1", "counter").Max(s => s.Value.AsInt64());
        Assert.True(File.Exists(dir.Combine("state", "opcua-plc.session.json")));
        await Task.Delay(1500, cts.Token);

        var second = new OpcUaSource(options);
        var secondRun = second.RunAsync(spool, cts.Token);
        await tail.WaitUntilAsync(t => t.Of("plc-1", "counter").Max(s => s.Value.AsInt64()) > diedAt + 40, TimeSpan.FromSeconds(30), "40 counter steps after the restart");

        var values = tail.Of("plc-1", "counter").Select(s => s.Value.AsInt64()).ToList();
        var duplicates = values.Count - values.Distinct().Count();
        var sorted = values.Distinct().Order().ToList();
        var gaps = sorted.Zip(sorted.Skip(1), (a, b) => b - a - 1).Sum();
        Assert.True(gaps == 0 && duplicates == 0, $"gaps {gaps}, duplicates {duplicates}, died at {diedAt}: {string.Join(',', values)}");
        Assert.Single(second.Session!.Subscriptions);
        Assert.Equal(SourceLinkState.Connected, second.GetHealth().State);

        await cts.CancelAsync();
        await secondRun;
        Assert.False(File.Exists(dir.Combine("state", "opcua-plc.session.json")), "a clean stop closed the session: nothing to take over");
    }

    [Fact]
    public async Task PlcRestartedWithMoreNodesAndOtherNamespaceOrder_BrowseRuleResolvedAgainOnTheNewSession()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { Items = 2 }, cts.Token);
        using var dir = new TempDirectory("opcua-refresh");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = OpcUaSourceTests.Load(plc.EndpointUrl, """
                  - { browse: Objects/PLC/Load, machine: load }
                  - { node: "nsu=urn:telemetry:plc;s=Counter", machine: plc-1, tag: counter }
            """) with { ReconnectMaxDelay = TimeSpan.FromSeconds(2) };
        var source = new OpcUaSource(options);
        using var tail = new SpoolTail(spool);
        var run = source.RunAsync(spool, cts.Token);
        await tail.WaitUntilAsync(t => t.Of("load", "Item00001").Count >= 1 && t.Of("plc-1", "counter").Count >= 1, TimeSpan.FromSeconds(30), "the first PLC's items");
        Assert.Equal(3, source.TagCount);

        plc.Kill();
        await plc.RestartAsync(plc.Options with { Items = 4, ReversedNamespaces = true }, cts.Token);
        var restartedAtNs = UnixTime.Now(TimeProvider.System);
        await tail.WaitUntilAsync(
            t => t.Of("load", "Item00003").Count >= 1 && t.Of("load", "Item00002").Count >= 1
                && t.Of("plc-1", "counter").Any(s => s.ReceiveTimeNs > restartedAtNs) && t.Of("load", "Item00000").Any(s => s.ReceiveTimeNs > restartedAtNs),
            TimeSpan.FromSeconds(30),
            "the new items and the old ones after the restart");

        Assert.Equal(5, source.TagCount);
        Assert.Empty(source.Problems);
        Assert.Equal(1, source.Session!.Subscriptions.Sum(s => s.Items.Count(i => i.NodeId.ToString().EndsWith("s=Load.Item00003", StringComparison.Ordinal))));

        await cts.CancelAsync();
        await run;
    }
}
