using Telemetry.Storage.IO;

namespace Telemetry.Storage;

/// <summary>What the spool does when its disk budget is reached.</summary>
public enum SpoolFullPolicy
{
    /// <summary>Delete the oldest whole segments (counted and reported per tag time range) to make room.</summary>
    DropOldest = 0,

    /// <summary>Fail new appends with a transient <see cref="SpoolException"/> so sources slow down.</summary>
    RejectNew = 1,
}

/// <summary>
/// Spool settings, immutable and validated by <see cref="Validate"/> (called by <see cref="Spool.OpenAsync"/>).
/// </summary>
public sealed record SpoolOptions
{
    public const long DefaultSegmentBytes = 64L * 1024 * 1024;

    public SpoolOptions(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; init; }

    /// <summary>Size at which a segment is sealed and a new one started; a record never spans two segments.</summary>
    public long SegmentBytes { get; init; } = DefaultSegmentBytes;

    /// <summary>Flush to disk as soon as this many bytes wait (group commit).</summary>
    public int GroupCommitBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Group commit under load: when writes arrived while the last commit (write + fsync) was on its way, the next one
    /// starts this long after it (or once <see cref="GroupCommitBytes"/> wait), so those writes share one fsync. A write
    /// to an idle spool is committed at once. No write waits longer than this for its commit to start. Zero: flush as
    /// soon as the disk is free.
    /// </summary>
    public TimeSpan GroupCommitInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Most bytes of the spool's segments; null means no budget. Drop-oldest deletes whole segments in the background,
    /// so the files may exceed it by up to about one segment for a moment (keep that much free beyond the budget).
    /// </summary>
    public long? DiskBudgetBytes { get; init; }

    public SpoolFullPolicy FullPolicy { get; init; } = SpoolFullPolicy.DropOldest;

    /// <summary>How often at most the acknowledged cursor is written to the checkpoint file.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Writers wait while more than this many bytes are queued for the disk (back-pressure).</summary>
    public int MaxPendingBytes { get; init; } = 16 * 1024 * 1024;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The file-system seam; tests put a fault-injecting one here.</summary>
    public ISpoolFileSystem FileSystem { get; init; } = PhysicalSpoolFileSystem.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option and what to do.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("SpoolOptions.Directory must name the spool's folder.", nameof(Directory));
        }

        if (SegmentBytes < 4096 || SegmentBytes > int.MaxValue)
        {
            throw new ArgumentException($"SpoolOptions.SegmentBytes is {SegmentBytes}: use 4 KiB .. 2 GiB (default 64 MiB).", nameof(SegmentBytes));
        }

        if (GroupCommitBytes < 1)
        {
            throw new ArgumentException("SpoolOptions.GroupCommitBytes must be positive (default 1 MiB).", nameof(GroupCommitBytes));
        }

        if (GroupCommitInterval < TimeSpan.Zero || GroupCommitInterval > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentException($"SpoolOptions.GroupCommitInterval is {GroupCommitInterval}: use 0 .. 10 s (default 10 ms).", nameof(GroupCommitInterval));
        }

        if (CheckpointInterval < TimeSpan.Zero || CheckpointInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"SpoolOptions.CheckpointInterval is {CheckpointInterval}: use 0 .. 1 min.", nameof(CheckpointInterval));
        }

        if (MaxPendingBytes < GroupCommitBytes)
        {
            throw new ArgumentException("SpoolOptions.MaxPendingBytes must be at least GroupCommitBytes.", nameof(MaxPendingBytes));
        }

        if (DiskBudgetBytes is { } budget && budget < 2 * SegmentBytes)
        {
            throw new ArgumentException(
                $"SpoolOptions.DiskBudgetBytes is {budget}: it must hold at least two segments ({2 * SegmentBytes} bytes); raise it or lower SegmentBytes.",
                nameof(DiskBudgetBytes));
        }

        if (!Enum.IsDefined(FullPolicy))
        {
            throw new ArgumentException($"SpoolOptions.FullPolicy {FullPolicy} is unknown.", nameof(FullPolicy));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(FileSystem);
    }
}
