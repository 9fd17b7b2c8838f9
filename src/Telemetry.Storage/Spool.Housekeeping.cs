using Telemetry.Core;
using Telemetry.Storage.Diagnostics;
using Telemetry.Storage.Format;

namespace Telemetry.Storage;

// Acknowledged cursor persistence, deletion of acknowledged segments, and the disk budget (drop-oldest / reject-new).
public sealed partial class Spool
{
    private const int MaxDropReports = 16;
    private readonly Lock _housekeepingLock = new();
    private readonly Queue<DroppedSegment> _dropQueue = new();
    private long _dropQueueBytes;
    private readonly List<SpoolDropReport> _dropReports = [];
    private long _persistedLowWater;
    private TaskCompletionSource? _housekeepingWake;
    private bool _housekeepingRequested;

    /// <summary>Called under <see cref="_appendLock"/> before appending <paramref name="bytes"/>.</summary>
    private void EnsureBudget(long bytes)
    {
        if (_options.DiskBudgetBytes is not { } budget || _totalBytes + bytes <= budget)
        {
            return;
        }

        if (_options.FullPolicy == SpoolFullPolicy.RejectNew)
        {
            Interlocked.Increment(ref _appendsRejected);
            _metrics.AppendsRejected.Add(1);
            Log.Rejected(_logger, bytes);
            throw new SpoolException(SpoolError.BudgetExhausted,
                $"Spool {_options.Directory} reached its disk budget of {budget} bytes (policy reject-new): retry once the forwarder caught up, or raise SpoolOptions.DiskBudgetBytes.");
        }

        // drop-oldest: remove whole sealed segments (never the tail) until the record fits. Only what was not yet
        // acknowledged counts as dropped: the oldest segment is often partly delivered already (the acknowledged
        // cursor inside it, or live-first ranges).
        var segments = _segments;
        var dropped = 0;
        while (_totalBytes + bytes > budget && dropped < segments.Length - 1)
        {
            var victim = new DroppedSegment(segments[dropped], _acks.AcknowledgedWithin(segments[dropped].BaseSequence, segments[dropped].DurableNextSequence));
            dropped++;
            _totalBytes -= victim.Segment.DurableBytes;
            var records = victim.UnacknowledgedRecords;
            Interlocked.Add(ref _recordsDropped, records);
            _metrics.RecordsDropped.Add(records);
            if (victim.Acknowledged.Length == 0)
            {
                CountDroppedSamples(victim.Segment.Samples);
            }

            _dropQueue.Enqueue(victim);
            _dropQueueBytes += victim.Segment.DurableBytes;
        }

        if (dropped > 0)
        {
            _segments = segments[dropped..];
            _acks.AdvanceTo(_segments[0].BaseSequence);
            NotifySegmentsDropped(_segments[0].BaseSequence);
            WakeHousekeeper();
        }

        if (_totalBytes + bytes > budget)
        {
            Interlocked.Increment(ref _appendsRejected);
            _metrics.AppendsRejected.Add(1);
            throw new SpoolException(SpoolError.BudgetExhausted,
                $"Spool {_options.Directory} reached its disk budget of {budget} bytes and has no sealed segment left to drop; retry later.");
        }
    }

    private void WakeHousekeeper()
    {
        TaskCompletionSource? wake;
        lock (_signalLock)
        {
            _housekeepingRequested = true;
            wake = _housekeepingWake;
            _housekeepingWake = null;
        }

        wake?.TrySetResult();
    }

    private async Task HousekeepingLoopAsync()
    {
        var stopping = _stop.Token;
        while (!stopping.IsCancellationRequested)
        {
            Task? wait = null;
            lock (_signalLock)
            {
                if (!_housekeepingRequested)
                {
                    _housekeepingWake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _housekeepingWake.Task;
                }
            }

            if (wait is not null)
            {
                await wait.ConfigureAwait(false);
                continue;
            }

            if (_options.CheckpointInterval > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(_options.CheckpointInterval, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            RunHousekeeping();
        }

        RunHousekeeping();
    }

    /// <summary>Reports and deletes dropped segments, persists the low-water mark, deletes acknowledged segments.</summary>
    private void RunHousekeeping()
    {
        lock (_housekeepingLock)
        {
            lock (_signalLock)
            {
                _housekeepingRequested = false;
            }

            try
            {
                DeleteDroppedSegments();

                // acknowledged segments go before the checkpoint is written: on a full disk that frees the space the
                // checkpoint needs, and after a crash in between the recovered cursor is clamped to the first segment
                var lowWater = _acks.LowWater;
                List<SegmentInfo>? done = null;
                lock (_appendLock)
                {
                    var segments = _segments;
                    var n = 0;
                    while (n < segments.Length - 1 && segments[n].DurableNextSequence <= lowWater)
                    {
                        (done ??= []).Add(segments[n]);
                        _totalBytes -= segments[n].DurableBytes;
                        n++;
                    }

                    if (n > 0)
                    {
                        _segments = segments[n..];
                    }
                }

                if (done is not null)
                {
                    foreach (var segment in done)
                    {
                        _fileSystem.Delete(segment.Path);
                    }
                }

                if (lowWater != _persistedLowWater)
                {
                    _checkpoint.Write(lowWater);
                    _persistedLowWater = lowWater;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SpoolException)
            {
                Log.HousekeepingFailed(_logger, ex, _options.Directory);
                _lastError = ex.Message;
            }
        }
    }

    /// <summary>
    /// Reports and deletes the segments drop-oldest took out of the spool. The flusher calls it too before it writes
    /// when the housekeeper lags (see <see cref="HousekeeperLagsBehindDrops"/>), so the files stay near the budget.
    /// </summary>
    private void DeleteDroppedSegments()
    {
        lock (_housekeepingLock)
        {
            while (true)
            {
                DroppedSegment? victim;
                lock (_appendLock)
                {
                    if (_dropQueue.TryDequeue(out victim))
                    {
                        _dropQueueBytes -= victim.Segment.DurableBytes;
                    }
                }

                if (victim is null)
                {
                    return;
                }

                ReportDrop(victim);
                _fileSystem.Delete(victim.Segment.Path);
            }
        }
    }

    /// <summary>
    /// True when the segments drop-oldest took out but the housekeeper has not deleted yet hold more than one segment's
    /// bytes: then the flusher deletes them itself, so the files exceed the budget by at most about one segment.
    /// </summary>
    private bool HousekeeperLagsBehindDrops()
    {
        lock (_appendLock)
        {
            return _dropQueueBytes > _options.SegmentBytes;
        }
    }

    private void CountDroppedSamples(long samples)
    {
        Interlocked.Add(ref _samplesDropped, samples);
        _metrics.SamplesDropped.Add(samples);
    }

    /// <summary>
    /// Decodes a dropped segment to say, per tag, which source-time range was lost (logged and kept for the live view),
    /// leaving out the records that were acknowledged before the drop. A partly acknowledged segment's samples are
    /// counted here, exactly; if it cannot be read, they are estimated from its record share.
    /// </summary>
    private void ReportDrop(DroppedSegment dropped)
    {
        var victim = dropped.Segment;
        var tags = new Dictionary<AssetPath, (long Samples, long First, long Last)>();
        long samples = 0;
        var readAll = false;
        try
        {
            using var file = _fileSystem.OpenRead(victim.Path);
            var length = checked((int)Math.Min(file.Length, victim.DurableBytes));
            var data = new byte[length];
            length = CheckpointFile.ReadFully(file, data);
            var decoder = new SamplePayloadDecoder();
            using var batch = new SampleBatch(1024);
            var position = 0;
            while (position < length && RecordCodec.TryRead(data.AsSpan(position, length - position), out var header) == RecordReadStatus.Ok)
            {
                if (dropped.IsAcknowledged(header.Sequence))
                {
                    position += header.TotalLength;
                    continue;
                }

                batch.Clear();
                decoder.Decode(data.AsSpan(position + RecordCodec.HeaderSize, header.PayloadLength), batch);
                foreach (ref readonly var sample in batch.Samples)
                {
                    var t = sample.SourceTimeNs;
                    tags[sample.Path] = tags.TryGetValue(sample.Path, out var range)
                        ? (range.Samples + 1, Math.Min(range.First, t), Math.Max(range.Last, t))
                        : (1, t, t);
                }

                samples += batch.Count;
                position += header.TotalLength;
            }

            readAll = true;
        }
        catch (Exception ex) when (ex is IOException or SpoolException)
        {
            Log.HousekeepingFailed(_logger, ex, _options.Directory);
        }

        if (dropped.Acknowledged.Length > 0)
        {
            CountDroppedSamples(readAll || victim.Records == 0
                ? samples
                : victim.Samples * dropped.UnacknowledgedRecords / victim.Records);
        }

        var ranges = new List<DroppedTagRange>(tags.Count);
        long from = long.MaxValue;
        long to = long.MinValue;
        foreach (var (path, range) in tags)
        {
            ranges.Add(new DroppedTagRange(path, range.Samples, range.First, range.Last));
            from = Math.Min(from, range.First);
            to = Math.Max(to, range.Last);
            Log.DroppedTag(_logger, path.ToString(), range.Samples, UnixTime.ToDateTimeOffset(range.First), UnixTime.ToDateTimeOffset(range.Last));
        }

        Log.Dropped(_logger, victim.ToString(), dropped.UnacknowledgedRecords, samples, ranges.Count,
            UnixTime.ToDateTimeOffset(ranges.Count > 0 ? from : 0), UnixTime.ToDateTimeOffset(ranges.Count > 0 ? to : 0));
        var report = new SpoolDropReport(victim.ToString(), victim.BaseSequence, victim.DurableNextSequence - 1, dropped.UnacknowledgedRecords, samples, ranges);
        lock (_dropReports)
        {
            if (_dropReports.Count == MaxDropReports)
            {
                _dropReports.RemoveAt(0);
            }

            _dropReports.Add(report);
        }
    }
}

/// <summary>A segment drop-oldest took out, with the parts of it that were acknowledged at that moment.</summary>
internal sealed record DroppedSegment(SegmentInfo Segment, (long First, long Last)[] Acknowledged)
{
    public long UnacknowledgedRecords
    {
        get
        {
            var records = Segment.Records;
            foreach (var (first, last) in Acknowledged)
            {
                records -= last - first + 1;
            }

            return records;
        }
    }

    public bool IsAcknowledged(long sequence)
    {
        foreach (var (first, last) in Acknowledged)
        {
            if (first <= sequence && sequence <= last)
            {
                return true;
            }
        }

        return false;
    }
}
