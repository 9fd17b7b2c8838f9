using System.Buffers;
using Telemetry.Core;
using Telemetry.Storage.Diagnostics;
using Telemetry.Storage.Format;
using Telemetry.Storage.IO;

namespace Telemetry.Storage;

/// <summary>
/// The forwarder's reader: reads durable records in sequence order from its own file handles (it never takes the
/// writers' lock, and writers never wait for it) and decodes them into the caller's <see cref="SampleBatch"/>.
/// A corrupt record is skipped and counted by sequence. Position is in memory; the durable cursor is the spool's
/// acknowledged low-water mark, where a new reader starts. Single consumer.
/// Records already acknowledged (for example by a live reader, see <see cref="Spool.OpenReaderAt"/>) are skipped, and
/// <see cref="StopBefore"/> bounds a reader so that the backlog and the live stream do not overlap.
/// </summary>
public sealed class SpoolReader : IDisposable
{
    private const int DefaultBufferBytes = 1024 * 1024;
    private readonly Spool _spool;
    private readonly Lock _lock = new();
    private readonly SamplePayloadDecoder _decoder = new();
    private readonly Queue<(long LastSequence, long ReceiveTimeNs)> _inFlight = new();
    private byte[] _buffer = new byte[DefaultBufferBytes];
    private long _bufferStart;
    private int _bufferLength;
    private SegmentInfo? _segment;
    private ISpoolFile? _file;
    private long _offset;
    private readonly bool _isPrimary;
    private long _nextSequence;
    private long _endSequence = long.MaxValue;
    private long _droppedBelow;
    private long _recordsSkipped;
    private long _recordsRead;
    private long _samplesRead;
    private bool _closed;

    internal SpoolReader(Spool spool, long startSequence, bool isPrimary)
    {
        _spool = spool;
        _nextSequence = startSequence;
        _isPrimary = isPrimary;
    }

    /// <summary>This reader returns no record at or above this sequence (<see cref="long.MaxValue"/>: unbounded).</summary>
    public long EndSequence
    {
        get
        {
            lock (_lock)
            {
                return _endSequence;
            }
        }
    }

    /// <summary>True when the reader is bounded and has returned (or skipped) everything below <see cref="EndSequence"/>.</summary>
    public bool IsFinished
    {
        get
        {
            lock (_lock)
            {
                return _nextSequence >= _endSequence;
            }
        }
    }

    /// <summary>The sequence of the next record this reader returns (or a later one if that one is gone).</summary>
    public long NextSequence
    {
        get
        {
            lock (_lock)
            {
                return _nextSequence;
            }
        }
    }

    internal long RecordsSkipped => Interlocked.Read(ref _recordsSkipped);

    internal long RecordsRead => Interlocked.Read(ref _recordsRead);

    internal long SamplesRead => Interlocked.Read(ref _samplesRead);

    /// <summary>
    /// Bounds the reader: records at or above <paramref name="endSequence"/> are left to another reader (the live one).
    /// Once everything below it was returned, <see cref="IsFinished"/> is true, <see cref="TryRead"/> returns false and
    /// <see cref="ReadAsync"/> returns an empty result instead of waiting. The bound can only be lowered.
    /// </summary>
    public void StopBefore(long endSequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(endSequence);
        lock (_lock)
        {
            _endSequence = Math.Min(_endSequence, endSequence);
        }
    }

    /// <summary>
    /// Decodes whole durable records into <paramref name="destination"/> (appending) until at least
    /// <paramref name="maxSamples"/> samples were added or no durable record is left; never waits.
    /// </summary>
    public bool TryRead(SampleBatch destination, out SpoolReadResult result, int maxSamples = 8192)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamples);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            result = ReadCore(destination, maxSamples);
            return !result.IsEmpty;
        }
    }

    /// <summary>
    /// Like <see cref="TryRead"/>, waiting (without polling) until at least one record is durable. A bounded reader that
    /// is <see cref="IsFinished"/> returns an empty result (<see cref="SpoolReadResult.IsEmpty"/>) at once.
    /// </summary>
    public async ValueTask<SpoolReadResult> ReadAsync(SampleBatch destination, int maxSamples = 8192, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (TryRead(destination, out var result, maxSamples) || IsFinished)
            {
                return result;
            }

            await WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when a record at or after <see cref="NextSequence"/> is durable (or the spool is closing).</summary>
    public ValueTask WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var task = _spool.WhenDurableBeyond(NextSequence);
        if (task.IsCompleted)
        {
            return ValueTask.CompletedTask;
        }

        if (_spool.IsStopping)
        {
            throw new SpoolException(SpoolError.Closed, "The spool is closing.");
        }

        return new ValueTask(task.WaitAsync(cancellationToken));
    }

    public void Dispose()
    {
        Close();
        if (!_isPrimary)
        {
            _spool.OnReaderClosed(this);
        }
    }

    internal void Close()
    {
        lock (_lock)
        {
            _closed = true;
            CloseFile();
        }
    }

    internal void OnSegmentsDropped(long firstRemaining)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _droppedBelow);
        }
        while (firstRemaining > current && Interlocked.CompareExchange(ref _droppedBelow, firstRemaining, current) != current);
    }

    /// <summary>Receive time of the oldest record read or waiting at or above <paramref name="lowWater"/> (Unix ns).</summary>
    internal long? OldestUnacknowledgedReceiveTime(long lowWater)
    {
        lock (_lock)
        {
            while (_inFlight.Count > 0 && _inFlight.Peek().LastSequence < lowWater)
            {
                _inFlight.Dequeue();
            }

            if (_inFlight.Count > 0)
            {
                return _inFlight.Peek().ReceiveTimeNs;
            }

            if (_closed || !Position())
            {
                return null;
            }

            var limit = _segment!.DurableBytes;
            if (_offset >= limit || !Fill(_offset, RecordCodec.HeaderSize, limit))
            {
                return null;
            }

            var status = RecordCodec.TryRead(Window(limit), out var header);
            if (status == RecordReadStatus.Incomplete && Fill(_offset, header.TotalLength, limit))
            {
                status = RecordCodec.TryRead(Window(limit), out header);
            }

            if (status != RecordReadStatus.Ok)
            {
                return null;
            }

            try
            {
                return SamplePayloadDecoder.ReadFirstReceiveTime(Window(limit).Slice(RecordCodec.HeaderSize, header.PayloadLength));
            }
            catch (SpoolException)
            {
                return null;
            }
        }
    }

    private SpoolReadResult ReadCore(SampleBatch destination, int maxSamples)
    {
        long first = -1;
        long last = -1;
        var records = 0;
        var samples = 0;
        var startCount = destination.Count;
        while (samples < maxSamples && _nextSequence < _endSequence && Position())
        {
            var limit = _segment!.DurableBytes;
            if (_offset >= limit)
            {
                break; // Position() moved on from sealed segments, so this is the tail's durable end
            }

            if (!TryReadRecord(limit, out var header))
            {
                SkipCorruption(limit);
                continue;
            }

            if (header.Sequence >= _endSequence)
            {
                CountGap(_endSequence);
                break; // left to the reader beyond the bound; not consumed
            }

            var recordOffset = _offset;
            _offset += header.TotalLength;
            if (header.Sequence < _nextSequence)
            {
                continue; // before the cursor (positioning after open)
            }

            CountGap(header.Sequence);
            if (_spool.IsAcknowledged(header.Sequence))
            {
                _nextSequence = header.Sequence + 1; // delivered by another reader (live first)
                continue;
            }

            var payload = _buffer.AsSpan((int)(recordOffset - _bufferStart) + RecordCodec.HeaderSize, header.PayloadLength);
            int decoded;
            try
            {
                decoded = _decoder.Decode(payload, destination);
            }
            catch (SpoolException)
            {
                // a good checksum over a bad payload: count it like a corrupt record and go on
                Interlocked.Increment(ref _recordsSkipped);
                if (_isPrimary)
                {
                    _spool.OnRecordsSkipped(1);
                }

                _nextSequence = header.Sequence + 1;
                continue;
            }

            if (first < 0)
            {
                first = header.Sequence;
            }

            last = header.Sequence;
            _nextSequence = header.Sequence + 1;
            records++;
            samples += decoded;
        }

        if (records == 0)
        {
            return default;
        }

        if (destination.Count > startCount)
        {
            _inFlight.Enqueue((last, destination[startCount].ReceiveTimeNs));
        }

        Interlocked.Add(ref _recordsRead, records);
        Interlocked.Add(ref _samplesRead, samples);
        _spool.OnRead(samples);
        return new SpoolReadResult(first, last, records, samples);
    }

    /// <summary>Makes <see cref="_segment"/> the segment holding <see cref="_nextSequence"/>; false when there is none.</summary>
    private bool Position()
    {
        var dropped = Interlocked.Read(ref _droppedBelow);
        if (_nextSequence < dropped)
        {
            _nextSequence = dropped; // counted as dropped by the spool
            CloseFile();
        }

        var segments = _spool.Segments;
        if (segments.Length == 0)
        {
            return false;
        }

        if (_segment is not null)
        {
            var index = Array.IndexOf(segments, _segment);
            if (index >= 0 && (_offset < _segment.DurableBytes || index == segments.Length - 1))
            {
                return true;
            }

            if (index >= 0)
            {
                var next = segments[index + 1];
                CountGap(next.BaseSequence); // records a damaged sealed segment lost at its end
                Open(next);
                return true;
            }

            CloseFile(); // our segment was deleted under us
        }

        var target = segments[0];
        if (_nextSequence < target.BaseSequence)
        {
            _nextSequence = target.BaseSequence;
        }

        foreach (var segment in segments)
        {
            if (segment.BaseSequence <= _nextSequence)
            {
                target = segment;
            }
        }

        Open(target);
        return true;
    }

    private void Open(SegmentInfo segment)
    {
        CloseFile();
        _file = _spool.FileSystem.OpenRead(segment.Path);
        _segment = segment;
        _offset = 0;
    }

    private void CloseFile()
    {
        _file?.Dispose();
        _file = null;
        _segment = null;
        _bufferLength = 0;
    }

    private bool TryReadRecord(long limit, out RecordHeader header)
    {
        header = default;
        if (!Fill(_offset, RecordCodec.HeaderSize, limit))
        {
            return false;
        }

        var status = RecordCodec.TryRead(Window(limit), out header);
        if (status == RecordReadStatus.Incomplete)
        {
            // the header is in the buffer, so its length is known: read the whole record
            if (!Fill(_offset, header.TotalLength, limit))
            {
                return false;
            }

            status = RecordCodec.TryRead(Window(limit), out header);
        }

        return status == RecordReadStatus.Ok;
    }

    /// <summary>Bytes from <see cref="_offset"/> to the end of the buffer or <paramref name="limit"/>.</summary>
    private ReadOnlySpan<byte> Window(long limit)
    {
        var start = (int)(_offset - _bufferStart);
        var end = (int)Math.Min(_bufferLength, limit - _bufferStart);
        return _buffer.AsSpan(start, end - start);
    }

    /// <summary>Ensures the buffer holds [offset, offset + need); false if the segment's durable part ends first.</summary>
    private bool Fill(long offset, int need, long limit)
    {
        if (offset + need > limit)
        {
            return false;
        }

        if (offset >= _bufferStart && offset + need <= _bufferStart + _bufferLength)
        {
            return true;
        }

        if (need > _buffer.Length)
        {
            _buffer = new byte[Math.Max(need, _buffer.Length * 2)];
        }

        var count = (int)Math.Min(_buffer.Length, limit - offset);
        _bufferStart = offset;
        _bufferLength = CheckpointFile.ReadFully(_file!, _buffer.AsSpan(0, count), offset);
        return _bufferLength >= need;
    }

    /// <summary>The record at <see cref="_offset"/> is damaged: find the next good one in this segment (the gap is counted when reached).</summary>
    private void SkipCorruption(long limit)
    {
        var remaining = (int)(limit - _offset);
        var data = ArrayPool<byte>.Shared.Rent(Math.Max(remaining, 1));
        try
        {
            var read = CheckpointFile.ReadFully(_file!, data.AsSpan(0, remaining), _offset);
            var next = SegmentScanner.FindNextRecord(data.AsSpan(0, read), 1, _nextSequence);
            if (next > 0)
            {
                _offset += next;
                return;
            }

            _offset = limit;
            var segments = _spool.Segments;
            if (segments.Length > 0 && ReferenceEquals(segments[^1], _segment))
            {
                CountGap(_segment!.DurableNextSequence); // damage at the end of the tail: nothing good follows yet
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
            _bufferLength = 0;
        }
    }

    private void CountGap(long sequence)
    {
        if (sequence <= _nextSequence)
        {
            return;
        }

        var lost = sequence - _nextSequence;
        Interlocked.Add(ref _recordsSkipped, lost);
        if (!_isPrimary)
        {
            _nextSequence = sequence; // the main reader counts and logs the loss once
            return;
        }

        _spool.OnRecordsSkipped(lost);
        Log.RecordsSkipped(_spool.Logger, _segment?.ToString() ?? "?", lost, _nextSequence, sequence - 1);
        _nextSequence = sequence;
    }
}
