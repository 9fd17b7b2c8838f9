using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

public sealed partial class UaSession
{
    private readonly ConcurrentDictionary<uint, UaSubscription> _subscriptions = new();
    private readonly SemaphoreSlim _subscriptionLock = new(1, 1);
    private int _clientHandle;

    internal ILogger Logger => _logger;

    public IReadOnlyCollection<UaSubscription> Subscriptions => (IReadOnlyCollection<UaSubscription>)_subscriptions.Values;

    /// <summary>Creates a subscription; add items to it with <see cref="UaSubscription.AddItemsAsync"/>.</summary>
    public async Task<UaSubscription> CreateSubscriptionAsync(SubscriptionOptions options, IDataChangeHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new UaSubscription(this, options, handler);
        await _subscriptionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await subscription.CreateAsync(cancellationToken).ConfigureAwait(false);
            _subscriptions[subscription.SubscriptionId] = subscription;
        }
        finally
        {
            _subscriptionLock.Release();
        }

        EnsurePublishing();
        return subscription;
    }

    /// <summary>
    /// Monitors many items, spread over as many subscriptions as <see cref="UaClientOptions.MaxItemsPerSubscription"/>
    /// requires. Items the server rejects come back with their Bad status in <see cref="MonitoredItem.Status"/>.
    /// </summary>
    public async Task<IReadOnlyList<UaSubscription>> SubscribeAsync(IReadOnlyList<MonitoredItemOptions> items, SubscriptionOptions options, IDataChangeHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new List<UaSubscription>();
        var perSubscription = _options.MaxItemsPerSubscription;
        for (var start = 0; start < items.Count; start += perSubscription)
        {
            var subscription = await CreateSubscriptionAsync(options, handler, cancellationToken).ConfigureAwait(false);
            var count = Math.Min(perSubscription, items.Count - start);
            var slice = new MonitoredItemOptions[count];
            for (var i = 0; i < count; i++)
            {
                slice[i] = items[start + i];
            }

            await subscription.AddItemsAsync(slice, cancellationToken).ConfigureAwait(false);
            result.Add(subscription);
        }

        return result;
    }

    internal uint NextClientHandle() => (uint)Interlocked.Increment(ref _clientHandle);

    internal void Forget(UaSubscription subscription) => _subscriptions.TryRemove(subscription.SubscriptionId, out _);

    /// <summary>
    /// After a reconnect: a re-activated session keeps its subscriptions (Republish fills any gap); on a new
    /// session they are transferred, and those the server no longer has are created again.
    /// </summary>
    private async Task RestoreSubscriptionsAsync(bool reactivated, CancellationToken cancellationToken)
    {
        MarkPublishAlive();
        if (reactivated || _subscriptions.IsEmpty)
        {
            return;
        }

        var transferred = 0;
        var recreated = 0;
        await _subscriptionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var subscriptions = _subscriptions.Values.ToArray();
            var ids = Array.ConvertAll(subscriptions, s => s.SubscriptionId);
            TransferResult[] results;
            try
            {
                var response = await CallOnCurrentChannelAsync<TransferSubscriptionsResponse>(
                    new TransferSubscriptionsRequest { SubscriptionIds = ids, SendInitialValues = false },
                    cancellationToken).ConfigureAwait(false);
                results = response.Results;
            }
            catch (OpcUaException)
            {
                results = [];
            }

            for (var i = 0; i < subscriptions.Length; i++)
            {
                var subscription = subscriptions[i];
                if (i < results.Length && results[i].StatusCode.IsGood)
                {
                    // Unacknowledged messages stay available: the next sequence jump triggers Republish.
                    transferred++;
                    continue;
                }

                _subscriptions.TryRemove(subscription.SubscriptionId, out _);
                await subscription.RecreateAsync(cancellationToken).ConfigureAwait(false);
                _subscriptions[subscription.SubscriptionId] = subscription;
                recreated++;
            }

            DropAcknowledgementsOfUnknownSubscriptions();
        }
        finally
        {
            _subscriptionLock.Release();
        }

        Log.Reconnected(_logger, EndpointUrl, transferred, recreated);
    }
}
