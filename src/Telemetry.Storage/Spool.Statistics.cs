namespace Telemetry.Storage;

// Counters behind SpoolStatistics and the Meter.
public sealed partial class Spool
{
    private long _appendedRecords;
    private long _appendedSamples;
    private long _appendedBytes;
    private long _recordsCut;
    private long _bytesCut;
    private long _recordsDropped;
    private long _samplesDropped;
    private long _appendsRejected;
    private long _flushFailures;
    private string? _lastError;

    /// <summary>A consistent-enough snapshot for the live API (counters are read without stopping writers).</summary>
    public SpoolStatistics GetStatistics()
    {
        var lowWater = _acks.LowWater;
        var next = DurableNextSequence;
        var segments = Segments;
        long diskBytes = 0;
        long backlogBytes = 0;
        long backlogSamples = 0;
        foreach (var segment in segments)
        {
            var bytes = segment.DurableBytes;
            diskBytes += bytes;
            var records = segment.Records;
            if (records <= 0 || segment.DurableNextSequence <= lowWater)
            {
                continue;
            }

            // proportional share of a partly acknowledged segment
            var unacked = Math.Min(records, segment.DurableNextSequence - lowWater);
            backlogBytes += bytes * unacked / records;
            backlogSamples += segment.Samples * unacked / records;
        }

        var reader = _reader;
        TimeSpan? age = null;
        if (next > lowWater && reader?.OldestUnacknowledgedReceiveTime(lowWater) is { } receiveNs)
        {
            var ageNs = Telemetry.Core.UnixTime.Now(_time) - receiveNs;
            age = TimeSpan.FromTicks(Math.Max(0, ageNs / 100));
        }

        List<SpoolDropReport> drops;
        lock (_dropReports)
        {
            drops = [.. _dropReports];
        }

        var appendedSamples = Interlocked.Read(ref _appendedSamples);
        var appendedBytes = Interlocked.Read(ref _appendedBytes);
        return new SpoolStatistics
        {
            NextSequence = next,
            AcknowledgedBelow = lowWater,
            BacklogRecords = Math.Max(0, next - lowWater),
            BacklogSamples = backlogSamples,
            BacklogBytes = backlogBytes,
            OldestUnacknowledgedAge = age,
            Segments = segments.Length,
            DiskBytes = diskBytes,
            AppendedRecords = Interlocked.Read(ref _appendedRecords),
            AppendedSamples = appendedSamples,
            AppendedBytes = appendedBytes,
            ReadRecords = reader?.RecordsRead ?? 0,
            ReadSamples = reader?.SamplesRead ?? 0,
            RecordsCutAtRecovery = Interlocked.Read(ref _recordsCut),
            BytesCutAtRecovery = Interlocked.Read(ref _bytesCut),
            RecordsSkippedCorrupt = reader?.RecordsSkipped ?? 0,
            RecordsDropped = Interlocked.Read(ref _recordsDropped),
            SamplesDropped = Interlocked.Read(ref _samplesDropped),
            AppendsRejected = Interlocked.Read(ref _appendsRejected),
            FlushFailures = Interlocked.Read(ref _flushFailures),
            BytesPerSample = appendedSamples > 0 ? (double)appendedBytes / appendedSamples : 0,
            IsFaulted = Volatile.Read(ref _fault) is not null,
            LastError = Volatile.Read(ref _lastError),
            RecentDrops = drops,
        };
    }

    internal void OnRecordsSkipped(long records) => _metrics.RecordsSkipped.Add(records);

    internal void OnRead(long samples) => _metrics.ReadSamples.Add(samples);
}
