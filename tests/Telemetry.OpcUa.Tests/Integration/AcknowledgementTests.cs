using System.Collections.Concurrent;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Tests.Client;
using Telemetry.OpcUa.Tests.Fixtures;

namespace Telemetry.OpcUa.Tests.Integration;

/// <summary>
/// A NotificationMessage is acknowledged only when the handler says its values are safe: until then node-opcua keeps
/// it in its retransmission queue, which it lists in every PublishResponse (availableSequenceNumbers).
/// </summary>
[Collection(PlcCollection.Name)]
public sealed class AcknowledgementTests(OpcUaPlcFixture fixture)
{
    private static ExpandedNodeId Tag(string name) => new(new NodeId(name, 0), "urn:telemetry:plc");

    [Fact]
    public async Task Publish_HandlerHoldsAcknowledgements_ServerKeepsMessagesUntilHandlerAcknowledges()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);
        var handler = new HoldingHandler();
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions { PublishingInterval = TimeSpan.FromMilliseconds(100) }, handler, cts.Token);
        await subscription.AddItemsAsync([new MonitoredItemOptions(Tag("Counter")) { SamplingInterval = TimeSpan.Zero, QueueSize = 100 }], cts.Token);

        // several Publish requests went out after the first messages: none of them carried an acknowledgement
        await CollectingHandler.WaitUntilAsync(
            () => handler.Held.Count >= 5 && handler.Held.Take(3).All(a => subscription.AvailableSequenceNumbers.Contains(a.SequenceNumber)),
            TimeSpan.FromSeconds(30),
            "the server to keep the first 3 held messages while 5 arrived");
        var held = handler.Held.Take(3).ToArray();
        Assert.All(held, a => Assert.Equal(subscription.SubscriptionId, a.SubscriptionId));

        handler.Release(); // the values are durable now
        await CollectingHandler.WaitUntilAsync(
            () => !held.Any(a => subscription.AvailableSequenceNumbers.Contains(a.SequenceNumber)),
            TimeSpan.FromSeconds(30),
            "the server to drop the messages once acknowledged");
        await session.CloseAsync(cts.Token);
    }

    [Fact]
    public async Task Publish_HandlerSafeAtOnce_ServerKeepsOnlyTheLatestMessages()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);
        var handler = new CollectingHandler(); // the default: acknowledged with the next Publish
        var subscription = await session.CreateSubscriptionAsync(new SubscriptionOptions { PublishingInterval = TimeSpan.FromMilliseconds(100) }, handler, cts.Token);
        var items = await subscription.AddItemsAsync([new MonitoredItemOptions(Tag("Counter")) { SamplingInterval = TimeSpan.Zero, QueueSize = 100 }], cts.Token);

        await CollectingHandler.WaitUntilAsync(() => handler.ValuesOf(items[0]).Count >= 20, TimeSpan.FromSeconds(30), "20 counter steps");

        // only what is still in flight (the messages answered since the last Publish went out), never the whole history
        Assert.InRange(subscription.AvailableSequenceNumbers.Count, 0, session.Options.PublishRequestCount + 3);
        await session.CloseAsync(cts.Token);
    }

    /// <summary>Holds every acknowledgement (values "not durable yet") until <see cref="Release"/>, then acknowledges at once.</summary>
    private sealed class HoldingHandler : IDataChangeHandler
    {
        private readonly ConcurrentQueue<NotificationAck> _held = new();
        private volatile bool _released;

        public IReadOnlyList<NotificationAck> Held => [.. _held];

        public void OnDataChange(MonitoredItem item, in DataValue value)
        {
        }

        public bool OnNotificationMessage(NotificationAck ack)
        {
            if (_released)
            {
                return true;
            }

            _held.Enqueue(ack);
            return false;
        }

        public void Release()
        {
            _released = true;
            foreach (var ack in _held)
            {
                ack.Acknowledge();
            }
        }
    }
}
