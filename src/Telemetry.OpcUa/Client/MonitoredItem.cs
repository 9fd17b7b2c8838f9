using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>What to monitor: a node given with its namespace URI, how often to sample, how to filter.</summary>
public sealed record MonitoredItemOptions(ExpandedNodeId NodeId)
{
    /// <summary>Sampling interval; zero asks for exception-based reporting (every change).</summary>
    public TimeSpan SamplingInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public uint QueueSize { get; init; } = 10;

    public bool DiscardOldest { get; init; } = true;

    /// <summary>Absolute or percent deadband (null: every change of status or value).</summary>
    public DataChangeFilter? Filter { get; init; }

    public AttributeId Attribute { get; init; } = AttributeId.Value;

    /// <summary>Anything the caller wants back with each value (the tag mapping).</summary>
    public object? Tag { get; init; }
}

/// <summary>A monitored item of a <see cref="UaSubscription"/>: its client handle stays the same across reconnects and recreation.</summary>
public sealed class MonitoredItem
{
    internal MonitoredItem(MonitoredItemOptions options, uint clientHandle)
    {
        Options = options;
        ClientHandle = clientHandle;
    }

    public MonitoredItemOptions Options { get; }

    public ExpandedNodeId NodeId => Options.NodeId;

    public object? Tag => Options.Tag;

    public uint ClientHandle { get; }

    /// <summary>The server's id for the item in the current subscription (changes when the subscription is recreated).</summary>
    public uint ServerId { get; internal set; }

    /// <summary>The result of the last CreateMonitoredItems for this item.</summary>
    public StatusCode Status { get; internal set; }

    public TimeSpan RevisedSamplingInterval { get; internal set; }

    public uint RevisedQueueSize { get; internal set; }

    public override string ToString() => $"{NodeId} (handle {ClientHandle}, {Status})";
}

/// <summary>Receives data changes on the publish loop, in order per subscription. Keep it quick: hand values on.</summary>
public interface IDataChangeHandler
{
    void OnDataChange(MonitoredItem item, in DataValue value);

    /// <summary>The subscription's status changed (e.g. BadTimeout when the server dropped it) or it was recreated (GoodSubscriptionTransferred).</summary>
    void OnSubscriptionStatus(UaSubscription subscription, StatusCode status)
    {
    }

    /// <summary>
    /// All values of one NotificationMessage (a new one, a Republished one, or a duplicate whose values were delivered
    /// before) were handed to <see cref="OnDataChange"/>. Return true when they are safe already: the session
    /// acknowledges the message with its next Publish. Return false to keep the server holding it, and call
    /// <see cref="NotificationAck.Acknowledge"/> once the values are durable (e.g. fsynced to a spool), from any thread.
    /// </summary>
    bool OnNotificationMessage(NotificationAck ack) => true;

    /// <summary>
    /// Awaited before the session sends more Publish requests: a handler whose own queue is full completes this only
    /// once it has room, so the server keeps the values meanwhile (backpressure instead of an unbounded queue).
    /// </summary>
    ValueTask WaitForCapacityAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Publishing settings of a subscription; the server revises them.</summary>
public sealed record SubscriptionOptions
{
    public TimeSpan PublishingInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Publishing intervals without data before the server sends a keep-alive.</summary>
    public uint MaxKeepAliveCount { get; init; } = 10;

    /// <summary>Publishing intervals without a Publish request before the server drops the subscription (≥ 3 × keep-alive).</summary>
    public uint LifetimeCount { get; init; } = 600;

    /// <summary>0 = no limit (the server may still cap it: node-opcua sends at most 1,000).</summary>
    public uint MaxNotificationsPerPublish { get; init; }

    public byte Priority { get; init; }
}
