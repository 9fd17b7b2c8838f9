using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;
using Telemetry.OpcUa.Tests.Client;
using Telemetry.OpcUa.Tests.Fixtures;

namespace Telemetry.OpcUa.Tests.Integration;

[Collection(PlcCollection.Name)]
public sealed class SubscriptionTests(OpcUaPlcFixture fixture)
{
    private static ExpandedNodeId Tag(string name) => new(new NodeId(name, 0), "urn:telemetry:plc");

    // Sampling 0 (exception-based): the server reports every change, so every step must arrive. With 100 ms
    // sampling node-opcua samples on its own timer, which aliases with the PLC's 100 ms counter and may skip a
    // step on the server side; then only order and uniqueness are ours to check.
    [Theory]
    [InlineData(0, true)]
    [InlineData(100, false)]
    public async Task Subscribe_Counter_EveryStepArrivesOnceInOrder(int samplingMs, bool everyStep)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);
        var handler = new CollectingHandler();
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions { PublishingInterval = TimeSpan.FromMilliseconds(100) }, handler, cts.Token);
        var items = await subscription.AddItemsAsync([new MonitoredItemOptions(Tag("Counter")) { SamplingInterval = TimeSpan.FromMilliseconds(samplingMs), QueueSize = 100 }], cts.Token);
        Assert.True(items[0].Status.IsGood, items[0].Status.ToString());

        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count >= 30, TimeSpan.FromSeconds(30), "30 counter steps");

        var values = handler.ValuesOf(items[0]);
        var (gaps, duplicates) = CollectingHandler.Check(values);
        Assert.Equal(0, duplicates);
        if (everyStep)
        {
            Assert.Equal(0, gaps);
        }

        Assert.Equal(values.Order().ToList(), values);
        Assert.True(session.PublishResponseCount > 0);
        await session.CloseAsync(cts.Token);
    }

    [Fact]
    public async Task AddItemsAsync_MoreThanLimitPerSubscription_ThrowsTooManyMonitoredItems()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl, MaxItemsPerSubscription = 10 }, cts.Token);
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions(), new CollectingHandler(), cts.Token);
        var items = Enumerable.Range(0, 11).Select(i => new MonitoredItemOptions(Tag($"Load.Item{i:D5}"))).ToList();

        var ex = await Assert.ThrowsAsync<OpcUaException>(() => subscription.AddItemsAsync(items, cts.Token));

        Assert.Equal(StatusCodes.BadTooManyMonitoredItems, ex.StatusCode.Code);
    }

    [Fact]
    public async Task SubscribeAsync_ManyItems_SpreadsOverSubscriptionsAndDeliversEveryItem()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl, MaxItemsPerSubscription = 40 }, cts.Token);
        var handler = new CollectingHandler();
        var items = Enumerable.Range(0, 100).Select(i => new MonitoredItemOptions(Tag($"Load.Item{i:D5}")) { SamplingInterval = TimeSpan.Zero }).ToList();

        var subscriptions = await session.SubscribeAsync(items, new SubscriptionOptions(), handler, cts.Token);

        Assert.Equal(3, subscriptions.Count);
        Assert.All(subscriptions.SelectMany(s => s.Items), i => Assert.True(i.Status.IsGood));
        await CollectingHandler.WaitUntilAsync(() => handler.ItemsWithValues == 100, TimeSpan.FromSeconds(30), "a value from each of 100 items");
    }

    [Fact]
    public async Task AddItemsAsync_AbsoluteDeadband_IsAcceptedAndFiltersSmallChanges()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);
        var handler = new CollectingHandler();
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions(), handler, cts.Token);

        var items = await subscription.AddItemsAsync(
            [new MonitoredItemOptions(Tag("Counter")) { SamplingInterval = TimeSpan.Zero, Filter = DataChangeFilter.Absolute(4.5) }],
            cts.Token);

        Assert.True(items[0].Status.IsGood, items[0].Status.ToString());
        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count >= 4, TimeSpan.FromSeconds(20), "4 deadband values");
        var values = handler.ValuesOf(items[0]);
        for (var i = 1; i < values.Count; i++)
        {
            Assert.True(values[i] - values[i - 1] >= 5, $"step {values[i - 1]} -> {values[i]} is inside the deadband");
        }
    }
}
