using Microsoft.Extensions.Logging;
using Telemetry.Core;

namespace Telemetry.Edge.Forwarding;

// One batch: encode, deliver under the policy, acknowledge, account by lane, give the slot back.
public sealed partial class Forwarder
{
    /// <summary>Encodes the slot (the backlog pays its rate cap here) and starts its delivery.</summary>
    private void Dispatch(EncodedBatch slot, Lane lane, CancellationToken cancellationToken)
    {
        var body = slot.Encode(0, slot.Samples.Count, _options.Gzip);
        if (lane == Lane.Backlog)
        {
            _pacer.Charge(slot.Samples.Count, body.Length);
            Interlocked.Increment(ref _backlogInFlight);
        }
        else
        {
            Interlocked.Increment(ref _liveInFlight);
        }

        _inFlight.RemoveAll(static t => t.IsCompleted);
        _inFlight.Add(ForwardAsync(slot, lane, body, cancellationToken));
    }

    /// <summary>Delivers one slot (never throws: it owns its failures) and gives the slot back.</summary>
    private async Task ForwardAsync(EncodedBatch slot, Lane lane, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        try
        {
            await DeliverRangeAsync(slot, 0, slot.Samples.Count, body, cancellationToken).ConfigureAwait(false);
            _spool.Acknowledge(slot.Range.First, slot.Range.Last);
            if (lane == Lane.Backlog)
            {
                Status.OnBacklogDelivered(slot.Samples.Count, _timeProvider.GetUtcNow());
            }
            else if (slot.Samples.Count > 0)
            {
                Status.OnLiveDelivered(TimeSpan.FromTicks((UnixTime.Now(_timeProvider) - slot.Samples[0].ReceiveTimeNs) / 100));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // not acknowledged: the batch is sent again after the restart (writes are idempotent)
        }
        catch (Exception ex)
        {
            LogForwardFailed(ex, slot.Range);
        }
        finally
        {
            Interlocked.Decrement(ref lane == Lane.Live ? ref _liveInFlight : ref _backlogInFlight);
            _free.Writer.TryWrite(slot);
            Interlocked.Exchange(ref _slotReturned, NewSignal()).TrySetResult();
        }
    }

    /// <param name="body">The encoded samples [start, start+count) when already encoded; else encoded here.</param>
    private async Task DeliverRangeAsync(EncodedBatch slot, int start, int count, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        var outcome = await _policy.DeliverAsync(
            static (s, ct) => s.client.SendAsync(s.body, s.gzip, s.range, ct),
            (client: _client, body: body ?? slot.Encode(start, count, _options.Gzip), gzip: _options.Gzip, range: slot.Range),
            cancellationToken).ConfigureAwait(false);

        switch (outcome.Status)
        {
            case DeliveryStatus.Delivered:
                Status.OnDelivered(count, _timeProvider.GetUtcNow());
                return;
            case DeliveryStatus.TooLarge when count > 1:
                // both halves carry the whole record range: the datacenter accounts records, not samples
                var half = count / 2;
                LogSplitting(slot.Range, count);
                await DeliverRangeAsync(slot, start, half, null, cancellationToken).ConfigureAwait(false);
                await DeliverRangeAsync(slot, start + half, count - half, null, cancellationToken).ConfigureAwait(false);
                return;
            default:
                await QuarantineAsync(slot, start, count, outcome, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async Task QuarantineAsync(EncodedBatch slot, int start, int count, DeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        Status.OnRejected(count);
        slot.Encode(start, count, gzip: false);
        var text = slot.Text.ToArray();
        var where = _quarantine is null
            ? "(no quarantine folder configured: the batch is only in this log)"
            : await _quarantine.StoreAsync(slot.Range, outcome.HttpStatus, outcome.Message, text, cancellationToken).ConfigureAwait(false);
        LogQuarantined(slot.Range, count, outcome.HttpStatus, outcome.Message, where);
    }

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "The datacenter refused spool records {Range} ({Count} samples) with HTTP {HttpStatus}: {Message}. Kept in {Where}; the stream goes on")]
    private partial void LogQuarantined(SpoolRange range, int count, int httpStatus, string message, string where);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Spool records {Range}: {Count} samples are too large for the datacenter; sending in halves")]
    private partial void LogSplitting(SpoolRange range, int count);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Critical, Message = "Forwarding spool records {Range} failed unexpectedly; they stay in the spool and are sent after a restart")]
    private partial void LogForwardFailed(Exception exception, SpoolRange range);
}
