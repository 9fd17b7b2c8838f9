using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>
/// What a client that dies without closing its session needs to take its subscriptions over from a new session
/// (OPC 10000-4 §5.14.7 TransferSubscriptions): per subscription its id, revised settings, the monitored items (client
/// handle → node and settings, so values can be mapped again) and the last sequence number acknowledged in order
/// (messages up to it are safe; later ones the server still lists are fetched with Republish). Plain data: the
/// caller persists it (the edge writes it next to its spool).
/// </summary>
public sealed record UaResumeState(string EndpointUrl, string SessionId, IReadOnlyList<UaSubscriptionState> Subscriptions);

/// <summary>One subscription of a <see cref="UaResumeState"/>.</summary>
public sealed record UaSubscriptionState(
    uint SubscriptionId,
    double PublishingIntervalMs,
    uint MaxKeepAliveCount,
    uint LifetimeCount,
    uint AcknowledgedThrough,
    IReadOnlyList<UaItemState> Items);

/// <summary>One monitored item of a <see cref="UaSubscriptionState"/> as it was created on the server.</summary>
public sealed record UaItemState(
    uint ClientHandle,
    uint ServerId,
    ExpandedNodeId NodeId,
    AttributeId Attribute,
    double SamplingIntervalMs,
    uint QueueSize,
    bool DiscardOldest,
    DataChangeFilter? Filter)
{
    /// <summary>True when <paramref name="options"/> asks for exactly this item (same node, attribute and settings).</summary>
    public bool Matches(MonitoredItemOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return NodeId == options.NodeId && Attribute == options.Attribute && SamplingIntervalMs == options.SamplingInterval.TotalMilliseconds
            && QueueSize == options.QueueSize && DiscardOldest == options.DiscardOldest && Filter == options.Filter;
    }
}

/// <summary>
/// The outcome of <see cref="UaSession.ResumeAsync"/>: the subscriptions taken over (their items mapped to the
/// caller's wanted items), the wanted items none of them has (subscribe them as usual), how many held messages were
/// recovered with Republish, and, when nothing could be taken over, why (BadSubscriptionIdInvalid: the old session
/// and its subscriptions are gone).
/// </summary>
public sealed record UaResumeResult(
    IReadOnlyList<UaSubscription> Resumed,
    IReadOnlyList<MonitoredItemOptions> Remaining,
    int RepublishedMessages,
    int LostMessages,
    StatusCode Status)
{
    public bool IsResumed => Resumed.Count > 0;
}
