using Microsoft.Extensions.Logging;
using Telemetry.Storage;

namespace Telemetry.Edge.Forwarding;

// Live first after an outage: the two-lane schedule (see the remarks on Forwarder). Everything here runs on the
// ExecuteAsync loop only; the in-flight counters and the slot signal are shared with the deliveries.
public sealed partial class Forwarder
{
    private static readonly Task Never = new TaskCompletionSource().Task;

    private SpoolReader? _main;
    private SpoolReader? _live;
    private long _mainBacklogEnd;
    private bool _mainBacklogDone;
    private bool _merging;
    private long _leftBehindRecords;
    private double _samplesPerRecord = 1;
    private int _liveInFlight;
    private int _backlogInFlight;
    private TaskCompletionSource _slotReturned = NewSignal();
    private Task? _liveWait;
    private Task? _paceWait;

    private enum Lane
    {
        Live,
        Backlog,
    }

    [Flags]
    private enum WaitFor
    {
        Nothing = 0,
        Slot = 1,
        LiveData = 2,
        Pace = 4,
    }

    /// <summary>Backlog requests in flight at most: one slot is kept for live data.</summary>
    private int BacklogSlots => _options.MaxInFlight > 1 ? _options.MaxInFlight - 1 : 1;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The reader of the batch just read is behind: a live reader opens at the durable head. The first time, the
    /// main reader drains the backlog below that head. When the live lane falls behind again (another outage while
    /// the backlog drains), its reader is closed and a new one opens at the head: what the old one had not read yet
    /// is left to the main reader, which goes over it after the merge (and splits again, as it is behind).
    /// </summary>
    private void SplitOffBacklog(SpoolReadResult behind)
    {
        var live = _spool.OpenLiveReader();
        var head = live.NextSequence;
        if (_live is null)
        {
            _mainBacklogEnd = head;
            _mainBacklogDone = _main!.NextSequence >= head;
            _leftBehindRecords = 0;
        }
        else
        {
            _leftBehindRecords += Math.Max(0, head - _live.NextSequence);
            _live.Dispose();
        }

        _live = live;
        _liveWait = null;
        var stats = _spool.GetStatistics();
        _samplesPerRecord = stats.BacklogRecords > 0 ? Math.Max(1, (double)stats.BacklogSamples / stats.BacklogRecords) : 1;
        PublishBacklog();
        LogSplit(behind.FirstSequence, head, Status.BacklogSamplesRemaining, _options.Backlog.Lag.TotalSeconds);
    }

    /// <summary>Two lanes: dispatches what it can, else waits for a slot, live data or the pacer.</summary>
    private async Task ForwardTwoLanesAsync(CancellationToken cancellationToken)
    {
        await ObserveCompletedWaitsAsync().ConfigureAwait(false);
        var returned = Volatile.Read(ref _slotReturned).Task; // before looking, so no return is missed
        var waitFor = TryDispatchTwoLanes(cancellationToken);
        if (waitFor == WaitFor.Nothing || _live is null)
        {
            return;
        }

        var liveData = Never;
        if (waitFor.HasFlag(WaitFor.LiveData))
        {
            liveData = _liveWait ??= _live.WaitToReadAsync(cancellationToken).AsTask();
        }

        var pace = Never;
        if (waitFor.HasFlag(WaitFor.Pace))
        {
            var wait = _pacer.Wait();
            if (wait <= TimeSpan.Zero)
            {
                return; // the backlog may go already
            }

            pace = _paceWait ??= Task.Delay(wait, _timeProvider, cancellationToken);
        }

        await Task.WhenAny(returned, liveData, pace).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task ObserveCompletedWaitsAsync()
    {
        if (_liveWait is { IsCompleted: true } liveWait)
        {
            _liveWait = null;
            await liveWait.ConfigureAwait(false); // rethrows a closing spool or cancellation
        }

        if (_paceWait is { IsCompleted: true } paceWait)
        {
            _paceWait = null;
            await paceWait.ConfigureAwait(false);
        }
    }

    private WaitFor TryDispatchTwoLanes(CancellationToken cancellationToken)
    {
        if (_merging)
        {
            if (Volatile.Read(ref _liveInFlight) + Volatile.Read(ref _backlogInFlight) > 0)
            {
                return WaitFor.Slot;
            }

            FinishMerge();
            return WaitFor.Nothing;
        }

        if (!_free.Reader.TryRead(out var slot))
        {
            return WaitFor.Slot;
        }

        slot.Clear();
        if (_live!.TryRead(slot.Samples, out var read, _options.MaxBatchSamples))
        {
            slot.Range = new SpoolRange(read.FirstSequence, read.LastSequence);
            if (IsBehind(slot))
            {
                // another outage while the first backlog drains; this batch is read already, so it goes now, on the
                // live lane's slot if the backlog has all of its own
                SplitOffBacklog(read);
                Dispatch(slot, Volatile.Read(ref _backlogInFlight) < BacklogSlots ? Lane.Backlog : Lane.Live, cancellationToken);
            }
            else
            {
                Dispatch(slot, Lane.Live, cancellationToken);
            }

            return WaitFor.Nothing;
        }

        var waitFor = TryReadBacklog(slot);
        if (slot.Samples.Count > 0)
        {
            Dispatch(slot, Lane.Backlog, cancellationToken);
            return WaitFor.Nothing;
        }

        _free.Writer.TryWrite(slot);
        return waitFor;
    }

    /// <summary>Reads the next backlog batch into <paramref name="slot"/> when the backlog may go now.</summary>
    private WaitFor TryReadBacklog(EncodedBatch slot)
    {
        if (Volatile.Read(ref _backlogInFlight) >= BacklogSlots)
        {
            return WaitFor.Slot | WaitFor.LiveData;
        }

        if (_pacer.Wait() > TimeSpan.Zero)
        {
            return WaitFor.Slot | WaitFor.LiveData | WaitFor.Pace;
        }

        if (!_mainBacklogDone)
        {
            var left = _mainBacklogEnd - _main!.NextSequence;
            var limit = (int)Math.Min(_pacer.BatchLimit(_options.MaxBatchSamples), left);
            if (left > 0 && _main.TryRead(slot.Samples, out var read, limit))
            {
                // At least one sample per record, so the read ends below the head; only corrupt records skipped on
                // the way could carry it past (then a few live records are sent twice, harmlessly).
                if (read.LastSequence >= _mainBacklogEnd)
                {
                    LogOvershoot(read.FirstSequence, read.LastSequence, _mainBacklogEnd);
                }

                slot.Range = new SpoolRange(read.FirstSequence, read.LastSequence);
                _mainBacklogDone = _main.NextSequence >= _mainBacklogEnd;
                PublishBacklog();
                return WaitFor.Nothing;
            }

            _mainBacklogDone = true;
        }

        // the backlog is read: pause the live lane until all requests are answered, then join the lanes
        _merging = true;
        PublishBacklog();
        return WaitFor.Nothing;
    }

    /// <summary>All answered: the main reader goes on past the backlog's end, skipping what the live lane acknowledged.</summary>
    private void FinishMerge()
    {
        var at = _live!.NextSequence;
        _live.Dispose();
        _live = null;
        _liveWait = null;
        _paceWait = null;
        _merging = false;
        _mainBacklogDone = false;
        PublishBacklog();
        LogMerged(at, Status.BacklogDeliveredSamples);
    }

    private void PublishBacklog()
    {
        if (_live is null)
        {
            Status.SetBacklog(_options.Backlog.LiveFirst ? BacklogLaneState.Inactive : BacklogLaneState.Disabled, 0);
            return;
        }

        long records = 0;
        if (!_mainBacklogDone)
        {
            records += Math.Max(0, _mainBacklogEnd - _main!.NextSequence);
        }

        records += _leftBehindRecords;

        Status.SetBacklog(_merging ? BacklogLaneState.Merging : BacklogLaneState.Draining, (long)(records * _samplesPerRecord));
    }

    private void CloseLanes()
    {
        _live?.Dispose();
        _live = null;
        _main = null;
    }

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information,
        Message = "Behind by more than {LagSeconds} s from spool record {Sequence}: fresh samples go first from record {Head}; about {Samples} backlog samples drain behind them")]
    private partial void LogSplit(long sequence, long head, long samples, double lagSeconds);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information,
        Message = "Backlog delivered ({Samples} samples since start); one lane again from spool record {Sequence}")]
    private partial void LogMerged(long sequence, long samples);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning,
        Message = "Backlog read {First}-{Last} went past the live lane's start {Head} (corrupt records skipped); those records may be sent twice")]
    private partial void LogOvershoot(long first, long last, long head);
}
