using Telemetry.Core;

namespace Telemetry.Storage;

/// <summary>A snapshot of the spool for the live API and the dashboard (the same figures the Meter exports).</summary>
public sealed record SpoolStatistics
{
    /// <summary>Sequence the next record gets.</summary>
    public long NextSequence { get; init; }

    /// <summary>Every record below this sequence is acknowledged (the persisted cursor follows it).</summary>
    public long AcknowledgedBelow { get; init; }

    public long BacklogRecords { get; init; }

    /// <summary>Samples not yet acknowledged (proportional within a partly acknowledged or recovered segment).</summary>
    public long BacklogSamples { get; init; }

    public long BacklogBytes { get; init; }

    /// <summary>Age of the oldest unacknowledged sample (its receive time), or null when nothing waits or it is unknown.</summary>
    public TimeSpan? OldestUnacknowledgedAge { get; init; }

    public int Segments { get; init; }

    public long DiskBytes { get; init; }

    public long AppendedRecords { get; init; }

    public long AppendedSamples { get; init; }

    public long AppendedBytes { get; init; }

    public long ReadRecords { get; init; }

    public long ReadSamples { get; init; }

    public long RecordsCutAtRecovery { get; init; }

    public long BytesCutAtRecovery { get; init; }

    /// <summary>Corrupt records the reader skipped (each counted once, by sequence).</summary>
    public long RecordsSkippedCorrupt { get; init; }

    public long RecordsDropped { get; init; }

    public long SamplesDropped { get; init; }

    public long AppendsRejected { get; init; }

    public long FlushFailures { get; init; }

    /// <summary>Average encoded bytes per sample, record headers included.</summary>
    public double BytesPerSample { get; init; }

    public bool IsFaulted { get; init; }

    public string? LastError { get; init; }

    public IReadOnlyList<SpoolDropReport> RecentDrops { get; init; } = [];
}

/// <summary>
/// What drop-oldest deleted: one whole segment (sequences <see cref="FirstSequence"/>..<see cref="LastSequence"/>), of
/// which <see cref="DroppedRecords"/> records with <see cref="Samples"/> samples were not acknowledged (lost to the
/// datacenter unless a request whose answer never came had already carried them), per tag with its source-time range.
/// </summary>
public sealed record SpoolDropReport(
    string Segment,
    long FirstSequence,
    long LastSequence,
    long DroppedRecords,
    long Samples,
    IReadOnlyList<DroppedTagRange> Tags)
{
    /// <summary>Records the segment held, the acknowledged (delivered) ones included.</summary>
    public long Records => LastSequence - FirstSequence + 1;

    /// <summary>Oldest source time (Unix ns) among the dropped samples; null when none was read.</summary>
    public long? FirstSourceTimeNs => Tags.Count == 0 ? null : Tags.Min(t => t.FirstSourceTimeNs);

    /// <summary>Newest source time (Unix ns) among the dropped samples; null when none was read.</summary>
    public long? LastSourceTimeNs => Tags.Count == 0 ? null : Tags.Max(t => t.LastSourceTimeNs);
}

/// <summary>Samples of one tag lost to drop-oldest, from/to source time (Unix ns).</summary>
public sealed record DroppedTagRange(AssetPath Path, long Samples, long FirstSourceTimeNs, long LastSourceTimeNs);

/// <summary>The result of one read: records <see cref="FirstSequence"/>..<see cref="LastSequence"/>, decoded into the caller's batch.</summary>
public readonly record struct SpoolReadResult(long FirstSequence, long LastSequence, int Records, int Samples)
{
    public bool IsEmpty => Records == 0;
}
