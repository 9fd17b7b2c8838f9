using System.Diagnostics;
using Telemetry.Core;
using Telemetry.Storage.Diagnostics;
using Telemetry.Storage.Format;
using Telemetry.Storage.IO;

namespace Telemetry.Storage;

// The write path: writers encode on their own thread, append under a short lock into the pending buffer, and await
// the commit group; one flusher writes and fsyncs the buffer (group commit) while the next one fills. The group
// window only applies under load (writes arrived while the last commit was on its way); else a write commits at once.
public sealed partial class Spool
{
    [ThreadStatic]
    private static SamplePayloadEncoder? t_encoder;

    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    [ThreadStatic]
    private static List<RecordSlice>? t_slices;

    private PendingBuffer _active;
    private PendingBuffer _spare;
    private ISpoolFile _tailFile;
    private SegmentInfo _tailSegment;
    private long _nextSequence;
    private long _logicalTailBytes;
    private long _totalBytes;
    private bool _forceRoll;
    private TaskCompletionSource? _flusherWake;
    private TaskCompletionSource? _fullWake;
    private long _lastCommitStarted;
    private bool _writesArrivedDuringCommit;

    /// <summary>Appends the batch; completes when it is on disk (fsynced). Same as <see cref="WriteAsync"/>.</summary>
    public ValueTask AppendAsync(SampleBatch batch, CancellationToken cancellationToken = default) => WriteAsync(batch, cancellationToken);

    /// <summary>
    /// Appends the batch as one or more records and completes once they are durable. Throws <see cref="SpoolException"/>:
    /// transient for disk full, a failed fsync (the batch was not stored; retry) or reject-new at the budget.
    /// </summary>
    public ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var backPressure = BackPressure();
        if (backPressure is not null)
        {
            return WriteAfterBackPressureAsync(backPressure, batch, cancellationToken);
        }

        var group = Append(batch);
        return group.IsCompleted ? new ValueTask(group) : new ValueTask(cancellationToken.CanBeCanceled ? group.WaitAsync(cancellationToken) : group);
    }

    private async ValueTask WriteAfterBackPressureAsync(Task backPressure, SampleBatch batch, CancellationToken cancellationToken)
    {
        while (backPressure is not null)
        {
            try
            {
                await backPressure.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SpoolException)
            {
                // that group failed; ours is appended to a fresh buffer
            }

            ThrowIfDisposed();
            backPressure = BackPressure()!;
        }

        await Append(batch).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task? BackPressure()
    {
        lock (_appendLock)
        {
            return _active.Data.Length >= _options.MaxPendingBytes ? _active.Group.Task : null;
        }
    }

    /// <summary>Encodes the batch into records outside the lock, then appends them under it; returns the commit group's task.</summary>
    private Task Append(SampleBatch batch)
    {
        var scratch = t_scratch ??= new PooledBufferWriter(256 * 1024);
        var encoder = t_encoder ??= new SamplePayloadEncoder();
        var slices = t_slices ??= [];
        scratch.Reset();
        slices.Clear();
        var maxPayload = (int)Math.Min(SpoolLimits.MaxPayloadBytes, _options.SegmentBytes - RecordCodec.HeaderSize);
        var samples = batch.Samples;
        var start = 0;
        while (start < samples.Length)
        {
            var count = Math.Min(samples.Length - start, SpoolLimits.MaxSamplesPerRecord);
            while (true)
            {
                var offset = scratch.Length;
                scratch.GetSpan(RecordCodec.HeaderSize);
                scratch.Advance(RecordCodec.HeaderSize);
                encoder.Encode(samples.Slice(start, count), scratch);
                var length = scratch.Length - offset;
                if (length - RecordCodec.HeaderSize <= maxPayload)
                {
                    slices.Add(new RecordSlice(offset, length, count));
                    break;
                }

                scratch.SetLength(offset); // too big for one record: split the run in halves
                if (count == 1)
                {
                    throw new SpoolException(SpoolError.RecordTooLarge,
                        $"One sample of {samples[start].Path} encodes to {length} bytes, more than a record may hold ({maxPayload}).");
                }

                count /= 2;
            }

            start += count;
        }

        TaskCompletionSource? flusherWake = null;
        TaskCompletionSource? fullWake = null;
        Task group;
        lock (_appendLock)
        {
            if (_fault is not null)
            {
                throw new SpoolException(SpoolError.Closed, $"The spool is faulted and must be reopened: {_fault.Message}", _fault);
            }

            EnsureBudget(scratch.Length);
            var buffer = _active;
            foreach (var slice in slices)
            {
                var sequence = _nextSequence++;
                var record = scratch.Buffer.AsSpan(slice.Offset, slice.Length);
                RecordCodec.WriteHeader(record, sequence);
                if (_forceRoll || (_logicalTailBytes > 0 && _logicalTailBytes + slice.Length > _options.SegmentBytes))
                {
                    buffer.StartPiece(newSegment: true, sequence);
                    _logicalTailBytes = 0;
                    _forceRoll = false;
                }
                else if (buffer.Pieces.Count == 0)
                {
                    buffer.StartPiece(newSegment: false, sequence);
                }

                var piece = buffer.Pieces[^1];
                piece.Length += slice.Length;
                piece.Samples += slice.Samples;
                piece.NextSequence = sequence + 1;
                buffer.Data.Write(record);
                buffer.Records++;
                buffer.Samples += slice.Samples;
                _logicalTailBytes += slice.Length;
                _totalBytes += slice.Length;
            }

            if (_flusherWake is not null)
            {
                flusherWake = _flusherWake;
                _flusherWake = null;
            }

            if (_fullWake is not null && buffer.Data.Length >= _options.GroupCommitBytes)
            {
                fullWake = _fullWake;
                _fullWake = null;
            }

            group = buffer.Group.Task;
        }

        flusherWake?.TrySetResult();
        fullWake?.TrySetResult();
        return group;
    }

    private async Task FlushLoopAsync()
    {
        var stopping = _stop.Token;
        while (true)
        {
            Task? idle = null;
            lock (_appendLock)
            {
                if (_active.Data.Length == 0)
                {
                    if (stopping.IsCancellationRequested)
                    {
                        return;
                    }

                    _flusherWake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    idle = _flusherWake.Task;
                }
            }

            if (idle is not null)
            {
                await idle.ConfigureAwait(false);
                continue;
            }

            await WaitForGroupAsync(stopping).ConfigureAwait(false);
            PendingBuffer buffer;
            _lastCommitStarted = _time.GetTimestamp();
            lock (_appendLock)
            {
                buffer = _active;
                _active = _spare;
                _spare = buffer;
                _active.Reset();
            }

            try
            {
                if (HousekeeperLagsBehindDrops())
                {
                    DeleteDroppedSegmentsBeforeWrite();
                }

                WriteBuffer(buffer);
                _appendedRecords += buffer.Records;
                _appendedSamples += buffer.Samples;
                _appendedBytes += buffer.Data.Length;
                _metrics.AppendedSamples.Add(buffer.Samples);
                _metrics.AppendedBytes.Add(buffer.Data.Length);
                lock (_appendLock)
                {
                    _writesArrivedDuringCommit = _active.Data.Length > 0;
                }

                buffer.Group.TrySetResult();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SpoolException)
            {
                _writesArrivedDuringCommit = false;
                HandleFlushFailure(buffer, ex);
            }
        }
    }

    /// <summary>Keeps the files within the budget before adding more; a failed delete is the housekeeper's to retry.</summary>
    private void DeleteDroppedSegmentsBeforeWrite()
    {
        try
        {
            DeleteDroppedSegments();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.HousekeepingFailed(_logger, ex, _options.Directory);
            WakeHousekeeper();
        }
    }

    /// <summary>
    /// Group commit only under load. When writes arrived while the last commit was being written and fsynced, the
    /// writers outpace the disk: the next commit waits until <see cref="SpoolOptions.GroupCommitInterval"/> has passed
    /// since the last one started (or <see cref="SpoolOptions.GroupCommitBytes"/> wait), so they share one fsync.
    /// When none did, the spool was idle and the write is committed at once: a lone writer awaiting each append, or
    /// writes slower than the disk, never wait for a window. No write waits longer than the interval for its commit
    /// to start (the last commit started before its buffer got its first write).
    /// </summary>
    private async Task WaitForGroupAsync(CancellationToken stopping)
    {
        var interval = _options.GroupCommitInterval;
        if (interval <= TimeSpan.Zero || !_writesArrivedDuringCommit || stopping.IsCancellationRequested)
        {
            return;
        }

        Task full;
        TimeSpan remaining;
        lock (_appendLock)
        {
            if (_active.Data.Length >= _options.GroupCommitBytes)
            {
                return;
            }

            remaining = interval - _time.GetElapsedTime(_lastCommitStarted);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            _fullWake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            full = _fullWake.Task;
        }

        using var delay = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var timer = Task.Delay(remaining, _time, delay.Token);
        await Task.WhenAny(full, timer).ConfigureAwait(false);
        await delay.CancelAsync().ConfigureAwait(false);
        lock (_appendLock)
        {
            _fullWake = null;
        }
    }

    /// <summary>Writes the pieces of a pending buffer: each piece goes to the tail or starts a new segment; fsync per piece.</summary>
    private void WriteBuffer(PendingBuffer buffer)
    {
        var data = buffer.Data.Buffer;
        foreach (var piece in buffer.Pieces)
        {
            if (piece.NewSegment)
            {
                StartSegment(piece.BaseSequence);
            }

            _tailFile.Append(data.AsSpan(piece.Offset, piece.Length));
            var started = Stopwatch.GetTimestamp();
            _tailFile.Flush();
            _metrics.FsyncDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var tail = _tailSegment;
            tail.Samples += piece.Samples;
            tail.DurableBytes = _tailFile.Length;
            tail.DurableNextSequence = piece.NextSequence;
            PublishDurable(piece.NextSequence);
        }
    }

    /// <summary>Seals the (fsynced) tail and starts a segment whose first record is <paramref name="baseSequence"/>.</summary>
    private void StartSegment(long baseSequence)
    {
        var segment = new SegmentInfo(baseSequence, Path.Combine(_options.Directory, SegmentInfo.FileName(baseSequence)));
        var file = _fileSystem.OpenAppend(segment.Path);
        try
        {
            if (file.Length != 0)
            {
                file.Truncate(0); // a leftover of a failed attempt: nothing in it was ever acknowledged
            }

            _fileSystem.FlushDirectory(_options.Directory);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        _tailFile.Dispose();
        _tailFile = file;
        _tailSegment = segment;
        lock (_appendLock)
        {
            _segments = [.. _segments, segment];
        }
    }

    /// <summary>
    /// fsync-gate: a failed write or flush is never retried on the same handle. Every record not yet durable is
    /// rejected to its writer, the tail is reopened and cut back to its durable length, and after an fsync error the
    /// next append starts a new segment. If even that fails, the spool is faulted.
    /// </summary>
    private void HandleFlushFailure(PendingBuffer failed, Exception exception)
    {
        var kind = IsDiskFull(exception) ? SpoolError.DiskFull : SpoolError.Io;
        var error = new SpoolException(kind, kind == SpoolError.DiskFull
            ? $"The disk of spool {_options.Directory} is full: the batch was not stored. Free space or lower SpoolOptions.DiskBudgetBytes; appends resume once space is free."
            : $"Writing spool segment {_tailSegment} failed: {exception.Message}. The batch was not stored; retry it.", exception);
        PendingBuffer active;
        long rejected;
        lock (_appendLock)
        {
            active = _active;
            rejected = failed.Records + active.Records;
            _nextSequence = DurableNextSequence;
            _logicalTailBytes = _tailSegment.DurableBytes;
            _forceRoll = kind == SpoolError.Io && _tailSegment.Records > 0;
            long total = 0;
            foreach (var segment in _segments)
            {
                total += segment.DurableBytes;
            }

            _totalBytes = total;
            _active = new PendingBuffer();
            _spare = new PendingBuffer();
        }

        Interlocked.Increment(ref _flushFailures);
        Interlocked.Add(ref _appendsRejected, rejected);
        _metrics.AppendsRejected.Add(rejected);
        Log.FlushFailed(_logger, exception, _tailSegment.ToString(), kind, rejected);
        failed.Group.TrySetException(error);
        active.Group.TrySetException(error);
        failed.Dispose();
        active.Dispose();
        _lastError = error.Message;

        try
        {
            _tailFile.Dispose();
            _tailFile = _fileSystem.OpenAppend(_tailSegment.Path);
            _tailFile.Truncate(_tailSegment.DurableBytes);
            _tailFile.Flush();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fault(new SpoolException(SpoolError.Closed, $"Spool {_options.Directory} could not recover segment {_tailSegment}: {ex.Message}", ex));
        }
    }

    private void Fault(SpoolException error)
    {
        lock (_appendLock)
        {
            _fault = error;
        }

        _lastError = error.Message;
        Log.Faulted(_logger, error, _options.Directory);
    }

    private void WakeFlusherForStop()
    {
        TaskCompletionSource? wake;
        TaskCompletionSource? full;
        lock (_appendLock)
        {
            wake = _flusherWake;
            full = _fullWake;
            _flusherWake = null;
            _fullWake = null;
        }

        wake?.TrySetResult();
        full?.TrySetResult();
    }

    private static bool IsDiskFull(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // ENOSPC (28) / EDQUOT (122) on Unix; ERROR_HANDLE_DISK_FULL (39) / ERROR_DISK_FULL (112) on Windows
            var code = e.HResult & 0xFFFF;
            if (e is IOException && code is 28 or 122 or 39 or 112)
            {
                return true;
            }

            if (e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct RecordSlice(int Offset, int Length, int Samples);

    /// <summary>One part of a pending buffer that goes to one segment.</summary>
    private sealed class Piece
    {
        public bool NewSegment { get; set; }

        public long BaseSequence { get; set; }

        public int Offset { get; set; }

        public int Length { get; set; }

        public long Samples { get; set; }

        public long NextSequence { get; set; }
    }

    /// <summary>Records waiting for the disk, with the commit group their writers await. Two of these alternate.</summary>
    private sealed class PendingBuffer : IDisposable
    {
        public PooledBufferWriter Data { get; } = new(1024 * 1024);

        public List<Piece> Pieces { get; } = [];

        public TaskCompletionSource Group { get; private set; } = NewGroup();

        public long Records { get; set; }

        public long Samples { get; set; }

        public void StartPiece(bool newSegment, long baseSequence) =>
            Pieces.Add(new Piece { NewSegment = newSegment, BaseSequence = baseSequence, Offset = Data.Length, NextSequence = baseSequence });

        public void Reset()
        {
            Data.Reset();
            Pieces.Clear();
            Records = 0;
            Samples = 0;
            if (Group.Task.IsCompleted)
            {
                Group = NewGroup();
            }
        }

        public void Dispose() => Data.Dispose();

        private static TaskCompletionSource NewGroup() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
