using System.Diagnostics;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Tests.Client;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.OpcUa.Tests.Integration;

[CollectionDefinition(Name)]
public sealed class ResilienceCollection
{
    public const string Name = "resilience (own PLCs)";
}

/// <summary>PLC restarts, connection cuts and injected garbage, each with its own simulated PLC.</summary>
[Collection(ResilienceCollection.Name)]
public sealed class ResilienceTests
{
    private static readonly ExpandedNodeId Counter = ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Counter");
    private static readonly ExpandedNodeId StringTag = ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Scalars.String");
    private static readonly ExpandedNodeId Strokes = ExpandedNodeId.Parse("nsu=urn:telemetry:machines;s=Press1.Strokes");

    [Fact]
    public async Task PlcKilledAndRestarted_WithOtherNamespaceOrder_DataResumesWithin10sAndMapsRight()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = plc.EndpointUrl, ReconnectMaxDelay = TimeSpan.FromSeconds(2) }, cts.Token);
        Assert.True(session.Namespaces.TryGetIndex("urn:telemetry:plc", out var indexBefore));
        var handler = new CollectingHandler();
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions(), handler, cts.Token);
        var items = await subscription.AddItemsAsync(
            [new MonitoredItemOptions(Counter) { SamplingInterval = TimeSpan.Zero }, new MonitoredItemOptions(Strokes) { SamplingInterval = TimeSpan.Zero }], cts.Token);
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count >= 5, TimeSpan.FromSeconds(20), "counter values");

        plc.Kill();
        await plc.RestartAsync(plc.Options with { ReversedNamespaces = true }, cts.Token);
        var restarted = Stopwatch.StartNew();
        var before = handler.ValuesOf(items[0]).Count;
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count > before + 3, TimeSpan.FromSeconds(10), "counter values after the restart");
        var resumedAfter = restarted.Elapsed;

        Assert.True(session.Namespaces.TryGetIndex("urn:telemetry:plc", out var indexAfter));
        Assert.NotEqual(indexBefore, indexAfter);
        Assert.Equal(1, subscription.RecreateCount);
        Assert.Equal(2, session.SessionCount);
        Assert.Equal("Grüße 水", (await session.ReadValueAsync(StringTag, cts.Token)).Value.AsString());
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[1]).Count >= 2, TimeSpan.FromSeconds(10), "machine tag values after the restart");
        Assert.True(resumedAfter < TimeSpan.FromSeconds(10), $"resumed after {resumedAfter}");
    }

    [Fact]
    public async Task ConnectionCutShorterThanSessionTimeout_LosesNoNotification()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        await using var proxy = new LoopbackProxy(plc.Port);
        await using var session = await UaSession.ConnectAsync(
            new UaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{proxy.Port}", SessionTimeout = TimeSpan.FromSeconds(30), ReconnectMaxDelay = TimeSpan.FromSeconds(1) }, cts.Token);
        var handler = new CollectingHandler();
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions(), handler, cts.Token);
        var items = await subscription.AddItemsAsync([new MonitoredItemOptions(Counter) { SamplingInterval = TimeSpan.Zero, QueueSize = 500 }], cts.Token);
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count >= 10, TimeSpan.FromSeconds(20), "counter values");

        // Publish responses sent during the black hole never reach us; then the connection dies.
        proxy.Blackhole();
        await Task.Delay(1500, cts.Token);
        proxy.CutFor(TimeSpan.FromSeconds(1));
        var cutAt = handler.ValuesOf(items[0]).Max();
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Max() > cutAt + 40, TimeSpan.FromSeconds(30), "40 counter steps after the cut");

        var values = handler.ValuesOf(items[0]);
        var (gaps, duplicates) = CollectingHandler.Check(values);
        var diagnostics = $"gaps {gaps}, duplicates {duplicates}, republished {subscription.RepublishedMessages}, lost {subscription.LostMessages}, sessions {session.SessionCount}, reconnects {session.ReconnectCount}, values {string.Join(',', values)}";
        Assert.True(gaps == 0 && duplicates == 0, diagnostics);
        Assert.Equal(1, session.SessionCount);
        Assert.True(session.ReconnectCount >= 1);
        Assert.True(subscription.RepublishedMessages > 0, "the lost Publish responses were recovered with Republish");
        Assert.Equal(0, subscription.LostMessages);
    }

    [Theory]
    [InlineData("4D53474600000040", StatusCodes.BadTcpMessageTooLarge)] // MSGF announcing 1 GiB
    [InlineData("58595A4610000000", StatusCodes.BadTcpMessageTypeInvalid)] // "XYZF": not a message type
    public async Task InjectedBadMessage_BreaksWithClearErrorAndRecovers(string hex, uint expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        await using var proxy = new LoopbackProxy(plc.Port);
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{proxy.Port}", ReconnectMaxDelay = TimeSpan.FromSeconds(1) }, cts.Token);
        var handler = new CollectingHandler();
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions { PublishingInterval = TimeSpan.FromSeconds(2) }, handler, cts.Token);
        var items = await subscription.AddItemsAsync([new MonitoredItemOptions(Counter) { SamplingInterval = TimeSpan.Zero, QueueSize = 100 }], cts.Token);
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count >= 5, TimeSpan.FromSeconds(20), "counter values");

        // Between two 2 s publishes the stream is idle, so the bytes land on a chunk boundary.
        await Task.Delay(300, cts.Token);
        await proxy.InjectToClientsAsync(Convert.FromHexString(hex), cts.Token);
        await CollectingHandler.WaitUntilAsync(() => session.ReconnectCount >= 1, TimeSpan.FromSeconds(15), "a reconnect");
        var before = handler.ValuesOf(items[0]).Count;
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count > before + 5, TimeSpan.FromSeconds(20), "values after the reconnect");

        var error = Assert.IsType<OpcUaException>(session.LastConnectionError);
        Assert.Equal(expected, error.StatusCode.Code);
    }

    [Fact]
    public async Task ConnectAsync_EndpointRequiresSecurity_ReportsPolicyByName()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { SecureOnly = true }, cts.Token);

        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = plc.EndpointUrl }, cts.Token));

        Assert.Equal(StatusCodes.BadSecurityPolicyRejected, ex.StatusCode.Code);
        Assert.Contains("Basic256Sha256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_OtherPlcSilent_DoesNotDelayThisOne()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        await using var silent = new FakeUaServer(FakeServerBehavior.Silent);

        var hanging = UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = silent.EndpointUrl, RequestTimeout = TimeSpan.FromSeconds(15) }, cts.Token);
        await using (var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = plc.EndpointUrl }, cts.Token))
        {
            Assert.Equal("Grüße 水", (await session.ReadValueAsync(StringTag, cts.Token)).Value.AsString());
            Assert.False(hanging.IsCompleted, "the silent PLC's connect is still waiting while the other one already reads");
        }

        await Assert.ThrowsAsync<TimeoutException>(() => hanging);
    }
}
