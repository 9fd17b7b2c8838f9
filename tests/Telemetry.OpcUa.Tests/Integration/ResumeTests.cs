using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;
using Telemetry.OpcUa.Tests.Client;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.OpcUa.Tests.Integration;

/// <summary>
/// A client process that dies without CloseSession (kill -9): node-opcua keeps its session and subscriptions until the
/// session timeout; a new session of a new client takes them over with TransferSubscriptions and republishes what the
/// PLC still holds, so every counter step arrives exactly once.
/// </summary>
[Collection(ResilienceCollection.Name)]
public sealed class ResumeTests
{
    private static readonly ExpandedNodeId Counter = ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Counter");

    [Fact]
    public async Task ResumeAsync_ClientAbandonedWithoutCloseSession_EveryCounterStepExactlyOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        await using var proxy = new LoopbackProxy(plc.Port);
        var handler = new CollectingHandler();
        var wanted = new MonitoredItemOptions(Counter) { SamplingInterval = TimeSpan.Zero, QueueSize = 1000 };
        var first = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{proxy.Port}", SessionTimeout = TimeSpan.FromSeconds(30) }, cts.Token);
        var subscription = await first.CreateSubscriptionAsync(new SubscriptionOptions(), handler, cts.Token);
        var items = await subscription.AddItemsAsync([wanted], cts.Token);
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count >= 10, TimeSpan.FromSeconds(20), "counter values");

        // The PLC's next Publish responses never arrive (sent, not acknowledged), then the client is gone without
        // CloseSession and its socket drops; while nobody publishes, the PLC queues the counter's steps.
        proxy.Blackhole();
        await Task.Delay(1500, cts.Token);
        await first.DisposeAsync();
        var state = first.CaptureResumeState();
        proxy.Sever();
        var diedAt = handler.ValuesOf(items[0]).Max();
        await Task.Delay(1500, cts.Token);

        await using var second = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = plc.EndpointUrl, SessionTimeout = TimeSpan.FromSeconds(30) }, cts.Token);
        var result = await second.ResumeAsync(state, [wanted], new SubscriptionOptions(), handler, cts.Token);
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Max() > diedAt + 40, TimeSpan.FromSeconds(30), "40 counter steps after the new client took over");

        var values = handler.ValuesOf(items[0]);
        var (gaps, duplicates) = CollectingHandler.Check(values);
        var diagnostics = $"gaps {gaps}, duplicates {duplicates}, republished {result.RepublishedMessages}, lost {result.LostMessages}, acknowledged through {state.Subscriptions[0].AcknowledgedThrough}, values {string.Join(',', values)}";
        Assert.True(gaps == 0 && duplicates == 0, diagnostics);
        Assert.True(result.IsResumed, diagnostics);
        Assert.Equal(subscription.SubscriptionId, Assert.Single(result.Resumed).SubscriptionId);
        Assert.Empty(result.Remaining);
        Assert.True(result.RepublishedMessages > 0, "the Publish responses lost with the first client came back with Republish: " + diagnostics);
        Assert.Equal(0, result.LostMessages);
        Assert.NotEqual(state.SessionId, second.SessionId.ToString());
        Assert.Equal(items[0].ClientHandle, Assert.Single(result.Resumed[0].Items).ClientHandle);
    }

    [Fact]
    public async Task ResumeAsync_OldSubscriptionGone_NothingResumedAndStatusSaysWhy()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = plc.EndpointUrl }, cts.Token);
        var wanted = new MonitoredItemOptions(Counter) { SamplingInterval = TimeSpan.Zero };
        var state = new UaResumeState(plc.EndpointUrl, "ns=1;i=1", [new UaSubscriptionState(4242, 100, 10, 600, 7, [new UaItemState(1, 1, Counter, AttributeId.Value, 0, 10, true, null)])]);

        var result = await session.ResumeAsync(state, [wanted], new SubscriptionOptions(), new CollectingHandler(), cts.Token);

        Assert.False(result.IsResumed);
        Assert.Equal(StatusCodes.BadSubscriptionIdInvalid, result.Status.Code);
        Assert.Same(wanted, Assert.Single(result.Remaining));
        Assert.Empty(session.Subscriptions);
    }
}
