using System.Collections.Concurrent;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>
/// A subscription of a <see cref="UaSession"/> (OPC 10000-4 §5.13, §5.14): monitored items added in calls of at most
/// MaxMonitoredItemsPerCall, at most <see cref="UaClientOptions.MaxItemsPerSubscription"/> items, sequence-number
/// tracking for Republish, and recreation (with namespace URIs resolved again) when the server lost it.
/// </summary>
public sealed partial class UaSubscription : INotificationAcknowledger
{
    private readonly UaSession _session;
    private readonly ConcurrentDictionary<uint, MonitoredItem> _items = new();
    private readonly IDataChangeHandler _handler;

    internal UaSubscription(UaSession session, SubscriptionOptions options, IDataChangeHandler handler)
    {
        _session = session;
        Options = options;
        _handler = handler;
    }

    public SubscriptionOptions Options { get; }

    public uint SubscriptionId { get; private set; }

    public TimeSpan RevisedPublishingInterval { get; private set; }

    public uint RevisedMaxKeepAliveCount { get; private set; }

    public uint RevisedLifetimeCount { get; private set; }

    public int ItemCount => _items.Count;

    internal IDataChangeHandler Handler => _handler;

    public IReadOnlyCollection<MonitoredItem> Items => (IReadOnlyCollection<MonitoredItem>)_items.Values;

    /// <summary>Notification messages recovered with Republish.</summary>
    public long RepublishedMessages => Interlocked.Read(ref _republished);

    /// <summary>Notification messages the server could no longer republish (data lost).</summary>
    public long LostMessages => Interlocked.Read(ref _lost);

    /// <summary>Times this subscription was created again on a new session (server restart).</summary>
    public int RecreateCount { get; private set; }

    /// <summary>How long without a Publish response or keep-alive before the watchdog reconnects.</summary>
    internal TimeSpan KeepAliveInterval => RevisedPublishingInterval * Math.Max(1, RevisedMaxKeepAliveCount);

    internal async Task CreateAsync(CancellationToken cancellationToken)
    {
        var response = await _session.CallForSubscriptionAsync<CreateSubscriptionResponse>(
            new CreateSubscriptionRequest
            {
                RequestedPublishingInterval = Options.PublishingInterval.TotalMilliseconds,
                RequestedLifetimeCount = Options.LifetimeCount,
                RequestedMaxKeepAliveCount = Options.MaxKeepAliveCount,
                MaxNotificationsPerPublish = Options.MaxNotificationsPerPublish,
                Priority = Options.Priority,
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        SubscriptionId = response.SubscriptionId;
        RevisedPublishingInterval = TimeSpan.FromMilliseconds(response.RevisedPublishingInterval);
        RevisedMaxKeepAliveCount = response.RevisedMaxKeepAliveCount;
        RevisedLifetimeCount = response.RevisedLifetimeCount;
        ResetSequence();
    }

    /// <summary>
    /// Adds monitored items (split into calls of at most the server's MaxMonitoredItemsPerCall). Items the server
    /// rejects are returned with their Bad status and not kept.
    /// </summary>
    public async Task<IReadOnlyList<MonitoredItem>> AddItemsAsync(IReadOnlyList<MonitoredItemOptions> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (_items.Count + items.Count > _session.Options.MaxItemsPerSubscription)
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadTooManyMonitoredItems),
                $"Subscription {SubscriptionId} would have {_items.Count + items.Count} items; the limit is {_session.Options.MaxItemsPerSubscription} per subscription (UaClientOptions.MaxItemsPerSubscription). Use UaSession.SubscribeAsync to spread items over several subscriptions.");
        }

        var created = new MonitoredItem[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            created[i] = new MonitoredItem(items[i], _session.NextClientHandle());
        }

        await CreateItemsOnServerAsync(created, cancellationToken).ConfigureAwait(false);
        foreach (var item in created)
        {
            if (item.Status.IsGood)
            {
                _items[item.ClientHandle] = item;
            }
        }

        return created;
    }

    /// <summary>Removes items from the server and from this subscription.</summary>
    public async Task RemoveItemsAsync(IReadOnlyList<MonitoredItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var batch = Math.Max(1, _session.OperationLimits.MaxMonitoredItemsPerCall);
        for (var start = 0; start < items.Count; start += batch)
        {
            var ids = new uint[Math.Min(batch, items.Count - start)];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = items[start + i].ServerId;
                _items.TryRemove(items[start + i].ClientHandle, out _);
            }

            await _session.CallForSubscriptionAsync<DeleteMonitoredItemsResponse>(
                new DeleteMonitoredItemsRequest { SubscriptionId = SubscriptionId, MonitoredItemIds = ids },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Changes the publishing interval and counts on the server.</summary>
    public async Task ModifyAsync(TimeSpan publishingInterval, CancellationToken cancellationToken = default)
    {
        var response = await _session.CallForSubscriptionAsync<ModifySubscriptionResponse>(
            new ModifySubscriptionRequest
            {
                SubscriptionId = SubscriptionId,
                RequestedPublishingInterval = publishingInterval.TotalMilliseconds,
                RequestedLifetimeCount = Options.LifetimeCount,
                RequestedMaxKeepAliveCount = Options.MaxKeepAliveCount,
                MaxNotificationsPerPublish = Options.MaxNotificationsPerPublish,
                Priority = Options.Priority,
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        RevisedPublishingInterval = TimeSpan.FromMilliseconds(response.RevisedPublishingInterval);
        RevisedMaxKeepAliveCount = response.RevisedMaxKeepAliveCount;
        RevisedLifetimeCount = response.RevisedLifetimeCount;
    }

    /// <summary>Deletes the subscription on the server and stops its notifications.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        _session.Forget(this);
        await _session.CallForSubscriptionAsync<DeleteSubscriptionsResponse>(
            new DeleteSubscriptionsRequest { SubscriptionIds = [SubscriptionId] },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>On a new session whose transfer failed: create the subscription and all items again (namespace URIs resolved anew).</summary>
    internal async Task RecreateAsync(CancellationToken cancellationToken)
    {
        await CreateAsync(cancellationToken).ConfigureAwait(false);
        var items = _items.Values.ToArray();
        await CreateItemsOnServerAsync(items, cancellationToken).ConfigureAwait(false);
        RecreateCount++;
        _handler.OnSubscriptionStatus(this, new StatusCode(StatusCodes.GoodSubscriptionTransferred));
    }

    /// <summary>
    /// Takes over a subscription transferred from a session that died (<see cref="UaSession.ResumeAsync"/>): its id and
    /// settings from <paramref name="state"/>, the items whose node and settings a wanted item asks for (with the wanted
    /// item's options, so values map to the caller's tags). Returns the server ids of the items nobody wants.
    /// </summary>
    internal List<uint> Adopt(UaSubscriptionState state, Dictionary<ExpandedNodeId, List<MonitoredItemOptions>> wanted)
    {
        SubscriptionId = state.SubscriptionId;
        RevisedPublishingInterval = TimeSpan.FromMilliseconds(state.PublishingIntervalMs);
        RevisedMaxKeepAliveCount = state.MaxKeepAliveCount;
        RevisedLifetimeCount = state.LifetimeCount;
        ResetSequence();
        ResetAcknowledged(state.AcknowledgedThrough);
        var unwanted = new List<uint>();
        foreach (var saved in state.Items)
        {
            var match = -1;
            if (wanted.TryGetValue(saved.NodeId, out var candidates))
            {
                match = candidates.FindIndex(saved.Matches);
            }

            if (match < 0)
            {
                unwanted.Add(saved.ServerId);
                continue;
            }

            var options = candidates![match];
            candidates.RemoveAt(match);
            _items[saved.ClientHandle] = new MonitoredItem(options, saved.ClientHandle)
            {
                ServerId = saved.ServerId,
                Status = default,
                RevisedSamplingInterval = TimeSpan.FromMilliseconds(saved.SamplingIntervalMs),
                RevisedQueueSize = saved.QueueSize,
            };
        }

        return unwanted;
    }

    /// <summary>This subscription and its items as a client resuming after a crash needs them.</summary>
    internal UaSubscriptionState CaptureState()
    {
        var items = new List<UaItemState>(_items.Count);
        foreach (var item in _items.Values)
        {
            var o = item.Options;
            items.Add(new UaItemState(item.ClientHandle, item.ServerId, o.NodeId, o.Attribute, o.SamplingInterval.TotalMilliseconds, o.QueueSize, o.DiscardOldest, o.Filter));
        }

        return new UaSubscriptionState(SubscriptionId, RevisedPublishingInterval.TotalMilliseconds, RevisedMaxKeepAliveCount, RevisedLifetimeCount, AcknowledgedThrough, items);
    }

    private async Task CreateItemsOnServerAsync(MonitoredItem[] items, CancellationToken cancellationToken)
    {
        var batch = Math.Max(1, _session.OperationLimits.MaxMonitoredItemsPerCall);
        for (var start = 0; start < items.Length; start += batch)
        {
            var count = Math.Min(batch, items.Length - start);
            var requests = new MonitoredItemCreateRequest[count];
            for (var i = 0; i < count; i++)
            {
                var options = items[start + i].Options;
                requests[i] = new MonitoredItemCreateRequest(
                    new ReadValueId(_session.Namespaces.Resolve(options.NodeId), options.Attribute),
                    MonitoringMode.Reporting,
                    items[start + i].ClientHandle,
                    options.SamplingInterval.TotalMilliseconds,
                    options.Filter,
                    options.QueueSize,
                    options.DiscardOldest);
            }

            var response = await _session.CallForSubscriptionAsync<CreateMonitoredItemsResponse>(
                new CreateMonitoredItemsRequest { SubscriptionId = SubscriptionId, ItemsToCreate = requests },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (response.Results.Length != count)
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadUnexpectedError), $"CreateMonitoredItems of {count} items returned {response.Results.Length} results.");
            }

            for (var i = 0; i < count; i++)
            {
                var item = items[start + i];
                var result = response.Results[i];
                item.Status = result.StatusCode;
                item.ServerId = result.MonitoredItemId;
                item.RevisedSamplingInterval = TimeSpan.FromMilliseconds(result.RevisedSamplingInterval);
                item.RevisedQueueSize = result.RevisedQueueSize;
            }
        }
    }

    internal void Deliver(uint clientHandle, in DataValue value)
    {
        if (_items.TryGetValue(clientHandle, out var item))
        {
            _handler.OnDataChange(item, in value);
        }
    }

    internal void DeliverStatus(StatusCode status) => _handler.OnSubscriptionStatus(this, status);

    /// <summary>
    /// The values of message <paramref name="sequenceNumber"/> were handed to the handler: acknowledged with the next
    /// Publish if the handler says they are safe, else when it calls <see cref="NotificationAck.Acknowledge"/>.
    /// </summary>
    internal void OnMessageHandled(uint sequenceNumber)
    {
        var subscriptionId = SubscriptionId;
        OnHanded(sequenceNumber);
        if (_handler.OnNotificationMessage(new NotificationAck(this, subscriptionId, sequenceNumber)))
        {
            TrackAcknowledged(sequenceNumber);
            _session.QueueAcknowledgement(subscriptionId, sequenceNumber);
        }
    }

    /// <summary>A late acknowledgement for a subscription since recreated under another id is dropped (the server no longer has it).</summary>
    void INotificationAcknowledger.Acknowledge(uint subscriptionId, uint sequenceNumber)
    {
        if (subscriptionId == SubscriptionId)
        {
            TrackAcknowledged(sequenceNumber);
            _session.QueueAcknowledgement(subscriptionId, sequenceNumber);
        }
    }
}
