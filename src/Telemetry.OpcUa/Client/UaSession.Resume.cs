using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>
/// Resuming after the client process died without closing its session (kill -9, power cut): the server keeps that
/// session and its subscriptions until the session timeout, with the messages sent but not acknowledged and the values
/// queued since. A new session takes the subscriptions over (TransferSubscriptions, OPC 10000-4 §5.14.7, with
/// sendInitialValues false: only changes since the last message sent), republishes the messages the server still has
/// beyond those acknowledged in order (the TransferResult's availableSequenceNumbers, §5.13.6), then publishes as usual.
/// </summary>
public sealed partial class UaSession
{
    /// <summary>Subscriptions, items and acknowledged sequence numbers of this session, to persist for <see cref="ResumeAsync"/>.</summary>
    public UaResumeState CaptureResumeState()
    {
        var subscriptions = new List<UaSubscriptionState>(_subscriptions.Count);
        foreach (var subscription in _subscriptions.Values)
        {
            subscriptions.Add(subscription.CaptureState());
        }

        subscriptions.Sort(static (a, b) => a.SubscriptionId.CompareTo(b.SubscriptionId));
        return new UaResumeState(EndpointUrl, SessionId.ToString(), subscriptions);
    }

    /// <summary>Per subscription id, the sequence number acknowledged through (cheap: for saving after every acknowledgement).</summary>
    public IReadOnlyDictionary<uint, uint> CaptureAcknowledged()
    {
        var result = new Dictionary<uint, uint>(_subscriptions.Count);
        foreach (var pair in _subscriptions)
        {
            result[pair.Key] = pair.Value.AcknowledgedThrough;
        }

        return result;
    }

    /// <summary>
    /// Takes over the subscriptions of <paramref name="state"/> (a session of this client that died) on this session.
    /// Items whose node and settings one of <paramref name="wanted"/> asks for are kept (values go to
    /// <paramref name="handler"/> with the wanted item's options); items nobody wants any more are deleted; wanted items
    /// not found come back in <see cref="UaResumeResult.Remaining"/>. Held messages newer than the acknowledged ones are
    /// republished before this returns. When the server no longer has them (BadSubscriptionIdInvalid: the old session
    /// timed out or the server restarted) nothing is resumed and the result says why; that is not an error.
    /// </summary>
    public async Task<UaResumeResult> ResumeAsync(UaResumeState state, IReadOnlyList<MonitoredItemOptions> wanted, SubscriptionOptions options, IDataChangeHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        // The caller checks that the state is of this server (the same PLC may be reached by another URL: a proxy, a name).
        if (state.Subscriptions.Count == 0)
        {
            return new UaResumeResult([], wanted, 0, 0, new StatusCode(StatusCodes.BadNothingToDo));
        }

        var ids = new uint[state.Subscriptions.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = state.Subscriptions[i].SubscriptionId;
        }

        TransferResult[] results;
        try
        {
            var response = await CallAsync<TransferSubscriptionsResponse>(
                new TransferSubscriptionsRequest { SubscriptionIds = ids, SendInitialValues = false }, cancellationToken: cancellationToken).ConfigureAwait(false);
            results = response.Results;
        }
        catch (OpcUaException ex) when (ex.StatusCode.Code is StatusCodes.BadServiceUnsupported or StatusCodes.BadNothingToDo or StatusCodes.BadUserAccessDenied
            or StatusCodes.BadSubscriptionIdInvalid or StatusCodes.BadNotSupported)
        {
            return new UaResumeResult([], wanted, 0, 0, ex.StatusCode);
        }

        var byNode = new Dictionary<ExpandedNodeId, List<MonitoredItemOptions>>();
        foreach (var item in wanted)
        {
            if (!byNode.TryGetValue(item.NodeId, out var list))
            {
                byNode[item.NodeId] = list = [];
            }

            list.Add(item);
        }

        var resumed = new List<UaSubscription>();
        var firstBad = new StatusCode(StatusCodes.BadSubscriptionIdInvalid);
        var republished = 0;
        var lost = 0;
        await _subscriptionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var dispatcher = new PublishDispatcher(this);
            for (var i = 0; i < ids.Length; i++)
            {
                if (i >= results.Length || !results[i].StatusCode.IsGood)
                {
                    firstBad = i < results.Length && resumed.Count == 0 ? results[i].StatusCode : firstBad;
                    continue;
                }

                var saved = state.Subscriptions[i];
                var subscription = new UaSubscription(this, options, handler);
                var unwanted = subscription.Adopt(saved, byNode);
                foreach (var item in saved.Items)
                {
                    BumpClientHandle(item.ClientHandle);
                }

                _subscriptions[subscription.SubscriptionId] = subscription;
                if (unwanted.Count > 0)
                {
                    await CallAsync<DeleteMonitoredItemsResponse>(
                        new DeleteMonitoredItemsRequest { SubscriptionId = subscription.SubscriptionId, MonitoredItemIds = [.. unwanted] },
                        cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                // Held messages up to the acknowledged ones are safe already: acknowledge them so the server frees them.
                // Compared across the rollover to 1 (SequenceNumbers): 1 is newer than 4,294,967,295.
                var (safe, toFetch) = SequenceNumbers.SplitHeld(results[i].AvailableSequenceNumbers, saved.AcknowledgedThrough);
                foreach (var sequenceNumber in safe)
                {
                    QueueAcknowledgement(subscription.SubscriptionId, sequenceNumber);
                }

                subscription.ExpectRepublish(toFetch);
                var lostBefore = subscription.LostMessages;
                await RepublishAsync(subscription, dispatcher, cancellationToken).ConfigureAwait(false);
                republished += (int)subscription.RepublishedMessages;
                lost += (int)(subscription.LostMessages - lostBefore);
                resumed.Add(subscription);
            }
        }
        finally
        {
            _subscriptionLock.Release();
        }

        var remaining = new List<MonitoredItemOptions>();
        foreach (var list in byNode.Values)
        {
            remaining.AddRange(list);
        }

        // keep the caller's order for what is left
        remaining.Sort((a, b) => IndexOf(wanted, a).CompareTo(IndexOf(wanted, b)));
        if (resumed.Count > 0)
        {
            EnsurePublishing();
        }

        Log.SubscriptionsResumed(_logger, EndpointUrl, resumed.Count, ids.Length, republished, lost);
        return new UaResumeResult(resumed, remaining, republished, lost, resumed.Count > 0 ? default : firstBad);

        static int IndexOf(IReadOnlyList<MonitoredItemOptions> list, MonitoredItemOptions item)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (ReferenceEquals(list[i], item))
                {
                    return i;
                }
            }

            return int.MaxValue;
        }
    }

    private void BumpClientHandle(uint handle)
    {
        int current;
        while ((uint)(current = Volatile.Read(ref _clientHandle)) < handle)
        {
            if (Interlocked.CompareExchange(ref _clientHandle, (int)handle, current) == current)
            {
                return;
            }
        }
    }
}
