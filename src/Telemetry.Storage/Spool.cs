using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Core;
using Telemetry.Storage.Diagnostics;
using Telemetry.Storage.Format;
using Telemetry.Storage.IO;

namespace Telemetry.Storage;

/// <summary>
/// The store-and-forward spool (DESIGN.md §5): a crash-safe log of segment files. Sources append through
/// <see cref="WriteAsync"/> (completes once the batch is fsynced, group commit); the forwarder reads through one
/// <see cref="SpoolReader"/> and acknowledges sequence ranges with <see cref="Acknowledge"/>, in any order. For live-first
/// forwarding it can add readers at the durable head (<see cref="OpenLiveReader"/>) or any sequence
/// (<see cref="OpenReaderAt"/>); every reader skips acknowledged records. Opening recovers.
/// Files: "{base sequence:D20}.seg" segments and a "checkpoint" with the acknowledged low-water mark.
/// </summary>
public sealed partial class Spool : ISampleSink, IAsyncDisposable
{
    private readonly SpoolOptions _options;
    private readonly ISpoolFileSystem _fileSystem;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CheckpointFile _checkpoint;
    private readonly AckTracker _acks;
    private readonly SpoolMetrics _metrics;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _appendLock = new();
    private readonly Lock _signalLock = new();

    // copy-on-write list of segments in sequence order; the last one is the physical tail (written by the flusher)
    private SegmentInfo[] _segments;
    private long _durableNextSequence;
    private SpoolException? _fault;
    private SpoolReader? _reader;
    private SpoolReader[] _extraReaders = [];
    private TaskCompletionSource? _dataWake;
    private Task _flusherTask = Task.CompletedTask;
    private Task _housekeeperTask = Task.CompletedTask;
    private int _disposed;

    private Spool(SpoolOptions options, ILogger logger, SegmentInfo[] segments, ISpoolFile tailFile, long nextSequence, long lowWater)
    {
        _options = options;
        _fileSystem = options.FileSystem;
        _logger = logger;
        _time = options.TimeProvider;
        _checkpoint = new CheckpointFile(_fileSystem, options.Directory);
        _segments = segments;
        _tailFile = tailFile;
        _tailSegment = segments[^1];
        _nextSequence = nextSequence;
        _durableNextSequence = nextSequence;
        _acks = new AckTracker(lowWater);
        _persistedLowWater = lowWater;
        foreach (var segment in segments)
        {
            _totalBytes += segment.DurableBytes;
        }

        _logicalTailBytes = _tailSegment.DurableBytes;
        _active = new PendingBuffer();
        _spare = new PendingBuffer();
        _metrics = new SpoolMetrics(GetStatistics, options.Directory);
    }

    public SpoolOptions Options => _options;

    /// <summary>Sequence after the last durable record.</summary>
    public long DurableNextSequence => Volatile.Read(ref _durableNextSequence);

    /// <summary>Every record below this sequence is acknowledged.</summary>
    public long AcknowledgedBelow => _acks.LowWater;

    /// <summary>Opens the spool in <see cref="SpoolOptions.Directory"/>, recovering what a crash left (counted and logged).</summary>
    public static Task<Spool> OpenAsync(SpoolOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Open(options, logger ?? NullLogger.Instance), cancellationToken);
    }

    /// <summary>The forwarder's reader, starting at the acknowledged cursor. There is one per spool.</summary>
    public SpoolReader OpenReader()
    {
        ThrowIfDisposed();
        var reader = new SpoolReader(this, _acks.LowWater, isPrimary: true);
        if (Interlocked.CompareExchange(ref _reader, reader, null) is not null)
        {
            throw new InvalidOperationException("The spool already has its reader; the forwarder is the only one.");
        }

        return reader;
    }

    /// <summary>
    /// Opens an additional reader for live-first forwarding (issue 7): it starts at <paramref name="startSequence"/>
    /// (clamped to <see cref="AcknowledgedBelow"/> .. <see cref="DurableNextSequence"/>), reads forward like the main
    /// reader and skips records that are already acknowledged. Any number may be open; each is single-consumer.
    /// </summary>
    /// <remarks>
    /// Live first after an outage: open a live reader at the durable head (<see cref="OpenLiveReader"/>), and bound the
    /// main reader below it with <see cref="SpoolReader.StopBefore"/> so the backlog and the live stream never hand out
    /// the same record. Acknowledge both streams' ranges as they are delivered, in any order. The main reader skips
    /// records acknowledged by the live reader. Only the contiguous low-water mark is persisted, so after a restart the
    /// records acknowledged above it are delivered once more (writes are idempotent) and nothing unacknowledged is lost.
    /// </remarks>
    /// <param name="startSequence">The first sequence to return (or the next one still in the spool).</param>
    public SpoolReader OpenReaderAt(long startSequence)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(startSequence);
        var start = Math.Clamp(startSequence, _acks.LowWater, DurableNextSequence);
        var reader = new SpoolReader(this, start, isPrimary: false);
        lock (_signalLock)
        {
            _extraReaders = [.. _extraReaders, reader];
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            reader.Close();
            ThrowIfDisposed();
        }

        return reader;
    }

    /// <summary>
    /// An additional reader at the durable head: it returns only records made durable from now on (see
    /// <see cref="OpenReaderAt"/>). Its <see cref="SpoolReader.NextSequence"/> is where the backlog ends.
    /// </summary>
    public SpoolReader OpenLiveReader() => OpenReaderAt(DurableNextSequence);

    /// <summary>True when record <paramref name="sequence"/> was acknowledged (below the cursor or in an out-of-order range).</summary>
    public bool IsAcknowledged(long sequence) => _acks.IsAcknowledged(sequence);

    /// <summary>
    /// Marks records <paramref name="firstSequence"/>..<paramref name="lastSequence"/> as delivered. Ranges may come in any
    /// order; the contiguous low-water mark is persisted (throttled by <see cref="SpoolOptions.CheckpointInterval"/>, or at
    /// once by <see cref="SaveCheckpointAsync"/>) and whole segments below it are deleted.
    /// </summary>
    public void Acknowledge(long firstSequence, long lastSequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastSequence, firstSequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lastSequence, DurableNextSequence, nameof(lastSequence));
        if (_acks.Acknowledge(firstSequence, lastSequence))
        {
            WakeHousekeeper();
        }
    }

    /// <summary>Writes the checkpoint and deletes acknowledged segments now.</summary>
    public Task SaveCheckpointAsync(CancellationToken cancellationToken = default) =>
        Task.Run(RunHousekeeping, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        WakeFlusherForStop();
        WakeHousekeeper();
        try
        {
            await _flusherTask.ConfigureAwait(false);
        }
        finally
        {
            await _housekeeperTask.ConfigureAwait(false);
            _reader?.Close();
            foreach (var extra in Volatile.Read(ref _extraReaders))
            {
                extra.Close();
            }

            _tailFile.Dispose();
            lock (_appendLock)
            {
                var closed = new SpoolException(SpoolError.Closed, "The spool was disposed.");
                _active.Group.TrySetException(closed);
                _spare.Group.TrySetException(closed);
                _active.Dispose();
                _spare.Dispose();
            }

            lock (_signalLock)
            {
                _dataWake?.TrySetResult();
                _dataWake = null;
            }

            _metrics.Dispose();
            _stop.Dispose();
        }
    }

    internal SegmentInfo[] Segments => Volatile.Read(ref _segments);

    internal ISpoolFileSystem FileSystem => _fileSystem;

    internal ILogger Logger => _logger;

    internal TimeProvider Time => _time;

    internal bool IsStopping => _stop.IsCancellationRequested;

    /// <summary>Every open reader that must hear about dropped segments.</summary>
    internal void NotifySegmentsDropped(long firstRemaining)
    {
        _reader?.OnSegmentsDropped(firstRemaining);
        foreach (var extra in Volatile.Read(ref _extraReaders))
        {
            extra.OnSegmentsDropped(firstRemaining);
        }
    }

    internal void OnReaderClosed(SpoolReader reader)
    {
        lock (_signalLock)
        {
            var index = Array.IndexOf(_extraReaders, reader);
            if (index >= 0)
            {
                _extraReaders = [.. _extraReaders.AsSpan(0, index), .. _extraReaders.AsSpan(index + 1)];
            }
        }
    }

    /// <summary>A task that completes when records beyond <paramref name="sequence"/> are durable (or the spool stops).</summary>
    internal Task WhenDurableBeyond(long sequence)
    {
        lock (_signalLock)
        {
            if (DurableNextSequence > sequence || _stop.IsCancellationRequested)
            {
                return Task.CompletedTask;
            }

            _dataWake ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _dataWake.Task;
        }
    }

    private void PublishDurable(long nextSequence)
    {
        Volatile.Write(ref _durableNextSequence, nextSequence);
        TaskCompletionSource? wake;
        lock (_signalLock)
        {
            wake = _dataWake;
            _dataWake = null;
        }

        wake?.TrySetResult();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static Spool Open(SpoolOptions options, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        var fs = options.FileSystem;
        var directory = options.Directory;
        fs.CreateDirectory(directory);
        var checkpoint = new CheckpointFile(fs, directory);
        checkpoint.DeleteLeftoverTemp();

        var found = new List<SegmentInfo>();
        foreach (var path in fs.ListFiles(directory, SegmentInfo.Suffix))
        {
            if (SegmentInfo.TryParseBase(path, out var baseSequence))
            {
                found.Add(new SegmentInfo(baseSequence, path));
            }
        }

        found.Sort(static (a, b) => a.BaseSequence.CompareTo(b.BaseSequence));
        var stored = checkpoint.TryRead(out var checkpointDamaged);
        if (checkpointDamaged)
        {
            Log.CheckpointDamaged(logger, directory);
        }

        // sealed segments: their length is final, their last record is the next segment's base - 1
        var segments = new List<SegmentInfo>(found.Count + 1);
        for (var i = 0; i < found.Count - 1; i++)
        {
            var segment = found[i];
            using (var file = fs.OpenRead(segment.Path))
            {
                segment.DurableBytes = file.Length;
            }

            if (segment.DurableBytes == 0)
            {
                fs.Delete(segment.Path);
                Log.RemovedEmptySegment(logger, segment.ToString());
                continue;
            }

            segment.DurableNextSequence = found[i + 1].BaseSequence;
            segments.Add(segment);
        }

        long cutRecords = 0;
        long cutBytes = 0;
        SegmentInfo tail;
        ISpoolFile tailFile;
        if (found.Count == 0)
        {
            tail = new SegmentInfo(stored ?? 0, Path.Combine(directory, SegmentInfo.FileName(stored ?? 0)));
            tailFile = fs.OpenAppend(tail.Path);
            fs.FlushDirectory(directory);
        }
        else
        {
            tail = found[^1];
            tailFile = fs.OpenAppend(tail.Path);
            var scan = ScanTail(tailFile, tail.BaseSequence);
            if (scan.CutBytes > 0)
            {
                tailFile.Truncate(scan.GoodLength);
                tailFile.Flush();
                cutBytes = scan.CutBytes;
                cutRecords = 1;
                Log.TailCut(logger, tail.ToString(), cutBytes, cutRecords);
            }

            if (scan.SkippedRegions > 0)
            {
                Log.MiddleDamage(logger, tail.ToString(), scan.SkippedRegions);
            }

            tail.DurableBytes = scan.GoodLength;
            tail.DurableNextSequence = scan.NextSequence;
            tail.Samples = scan.Samples;
        }

        segments.Add(tail);

        // sample counts of sealed segments are estimated from the tail's density (only the tail is scanned at start-up)
        var density = tail.DurableBytes > 0 ? (double)tail.Samples / tail.DurableBytes : 0;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            segments[i].Samples = (long)(segments[i].DurableBytes * density);
        }

        var nextSequence = tail.DurableNextSequence;
        var lowWater = Math.Clamp(stored ?? segments[0].BaseSequence, segments[0].BaseSequence, nextSequence);
        var spool = new Spool(options, logger, [.. segments], tailFile, nextSequence, lowWater);
        spool._recordsCut = cutRecords;
        spool._bytesCut = cutBytes;
        spool._metrics.RecordsCut.Add(cutRecords);
        spool._metrics.BytesCut.Add(cutBytes);
        spool.Start();
        Log.Opened(logger, directory, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, segments.Count,
            nextSequence - lowWater, nextSequence, lowWater);
        return spool;
    }

    private static SegmentScan ScanTail(ISpoolFile file, long baseSequence)
    {
        var length = checked((int)file.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var read = CheckpointFile.ReadFully(file, buffer.AsSpan(0, length));
            return SegmentScanner.Scan(buffer.AsSpan(0, read), baseSequence);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Start()
    {
        _flusherTask = Task.Run(FlushLoopAsync);
        _housekeeperTask = Task.Run(HousekeepingLoopAsync);
    }
}
