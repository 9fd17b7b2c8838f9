using System.Diagnostics;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Tests.Client;
using Telemetry.OpcUa.Tests.Fixtures;
using Xunit.Abstractions;

namespace Telemetry.OpcUa.Tests.Integration;

/// <summary>
/// 10,000 monitored items at 100 ms sampling for 60 s against node-opcua, checked for what is ours: that the
/// client loses, duplicates or reorders nothing. The PLC moves every item one step per second, so node-opcua's
/// 100 ms sampler sees every step (at 100 ms steps it saturates and skips steps itself, see PEERS.md) and the
/// 10,000 changes per second stay far below what it can publish; every item's values must then be
/// consecutive steps from the step at the start up to the PLC's step at the end (however fast the PLC managed to
/// step on a loaded machine), and no notification message may be lost (sequence numbers, Republish).
/// </summary>
[Collection(ResilienceCollection.Name)]
public sealed class TenThousandItemsTests(ITestOutputHelper output)
{
    private const int Items = 10_000;

    [Fact]
    public async Task Subscribe_10000ItemsAt100msFor60s_EveryStepArrivesOnceInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { Items = Items, LoadMs = 1000 }, cts.Token);
        await using var session = await UaSession.ConnectAsync(
            new UaClientOptions { EndpointUrl = plc.EndpointUrl, RequestTimeout = TimeSpan.FromSeconds(60), PublishRequestCount = 10 }, cts.Token);
        var handler = new CollectingHandler();
        var items = Enumerable.Range(0, Items)
            .Select(i => new MonitoredItemOptions(new ExpandedNodeId(new NodeId($"Load.Item{i:D5}", 0), "urn:telemetry:plc"))
            {
                SamplingInterval = TimeSpan.FromMilliseconds(100),
                QueueSize = 20,
            })
            .ToList();

        var subscriptions = await session.SubscribeAsync(items, new SubscriptionOptions { PublishingInterval = TimeSpan.FromMilliseconds(100) }, handler, cts.Token);
        var monitored = subscriptions.SelectMany(s => s.Items).ToList();
        Assert.Equal(Items, monitored.Count);
        Assert.All(monitored, i => Assert.True(i.Status.IsGood, i.ToString()));
        Assert.All(monitored, i => Assert.Equal(TimeSpan.FromMilliseconds(100), i.RevisedSamplingInterval));
        await CollectingHandler.WaitUntilAsync(() => handler.ItemsWithValues == Items, TimeSpan.FromSeconds(60), "a first value from every item");

        var first = ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Load.Item00000");
        var startTick = (await session.ReadValueAsync(first, cts.Token)).Value.AsInt64();
        var clock = Stopwatch.StartNew();
        var startTotal = handler.Total;
        await Task.Delay(TimeSpan.FromSeconds(60), cts.Token);
        var elapsed = clock.Elapsed;

        // Everything the PLC produced up to now must arrive: wait until every item reached the PLC's current step.
        var endTick = (await session.ReadValueAsync(first, cts.Token)).Value.AsInt64();
        await CollectingHandler.WaitUntilAsync(
            () => monitored.All(i => handler.ValuesOf(i) is { Count: > 0 } v && v[^1] >= endTick), TimeSpan.FromSeconds(60), $"every item at step {endTick}");
        var delivered = handler.Total - startTotal;
        var itemsWithGaps = 0;
        var gaps = 0;
        var duplicates = 0;
        var disordered = 0;
        var fewest = int.MaxValue;
        var lateStart = 0;
        foreach (var item in monitored)
        {
            var values = handler.ValuesOf(item);
            fewest = Math.Min(fewest, values.Count);
            lateStart += values[0] > startTick ? 1 : 0;
            var (g, d) = CollectingHandler.Check(values);
            gaps += g;
            duplicates += d;
            itemsWithGaps += g > 0 ? 1 : 0;
            for (var i = 1; i < values.Count; i++)
            {
                disordered += values[i] <= values[i - 1] ? 1 : 0;
            }
        }

        var lost = subscriptions.Sum(s => s.LostMessages);
        var republished = subscriptions.Sum(s => s.RepublishedMessages);
        var summary = $"{Items} items in {subscriptions.Count} subscriptions, PLC steps {startTick}..{endTick} in {elapsed.TotalSeconds:0.0} s, {delivered} values ({delivered / elapsed.TotalSeconds:0} values/s), items starting after step {startTick}: {lateStart}, " +
            $"publish responses {session.PublishResponseCount}, fewest values per item {fewest}, gaps {gaps} in {itemsWithGaps} items, duplicates {duplicates}, " +
            $"out of order {disordered}, republished {republished}, lost messages {lost}, reconnects {session.ReconnectCount}";
        output.WriteLine(summary);
        Assert.True(lost == 0 && duplicates == 0 && disordered == 0 && gaps == 0, summary);
        Assert.Equal(0, session.ReconnectCount);
        Assert.True(endTick - startTick >= 5, $"the PLC moved too little to judge: {summary}");
        Assert.Equal(0, lateStart);
        await session.CloseAsync(cts.Token);
    }
}
