using Microsoft.Extensions.Logging;

namespace Telemetry.Storage.Diagnostics;

/// <summary>The spool's log messages; event ids 3000-3099.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Spool {Directory} opened in {ElapsedMs} ms: {Segments} segments, {BacklogRecords} records backlog, next sequence {NextSequence}, cursor {Cursor}")]
    public static partial void Opened(ILogger logger, string directory, long elapsedMs, int segments, long backlogRecords, long nextSequence, long cursor);

    [LoggerMessage(3001, LogLevel.Warning, "Spool recovery cut {Bytes} bytes ({Records} torn or corrupt records) from the tail of {Segment}")]
    public static partial void TailCut(ILogger logger, string segment, long bytes, long records);

    [LoggerMessage(3002, LogLevel.Warning, "Spool segment {Segment} has {Regions} damaged regions between good records; the reader skips and counts them")]
    public static partial void MiddleDamage(ILogger logger, string segment, long regions);

    [LoggerMessage(3003, LogLevel.Warning, "Spool checkpoint in {Directory} is damaged; reading restarts at the oldest record (duplicates are possible, nothing is lost)")]
    public static partial void CheckpointDamaged(ILogger logger, string directory);

    [LoggerMessage(3004, LogLevel.Warning, "Spool reader skipped {Records} corrupt records (sequences {First}..{Last}) in {Segment}")]
    public static partial void RecordsSkipped(ILogger logger, string segment, long records, long first, long last);

    [LoggerMessage(3005, LogLevel.Error, "Spool write to {Segment} failed ({Kind}); {Records} unflushed records were rejected to their writers, the segment is closed and recovered (never retried)")]
    public static partial void FlushFailed(ILogger logger, Exception exception, string segment, SpoolError kind, long records);

    [LoggerMessage(3006, LogLevel.Critical, "Spool {Directory} could not recover from a failed write and is faulted: appends fail until it is reopened")]
    public static partial void Faulted(ILogger logger, Exception exception, string directory);

    [LoggerMessage(3007, LogLevel.Warning, "Spool disk budget reached: dropped segment {Segment} ({Records} records, {Samples} samples of {Tags} tags, source time {From:o} .. {To:o})")]
    public static partial void Dropped(ILogger logger, string segment, long records, long samples, int tags, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(3008, LogLevel.Debug, "Spool dropped {Samples} samples of {Tag} with source time {From:o} .. {To:o}")]
    public static partial void DroppedTag(ILogger logger, string tag, long samples, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(3009, LogLevel.Warning, "Spool housekeeping failed in {Directory}; it retries at the next acknowledgement")]
    public static partial void HousekeepingFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(3010, LogLevel.Warning, "Spool disk budget reached and the policy is reject-new: an append of {Bytes} bytes was rejected")]
    public static partial void Rejected(ILogger logger, long bytes);

    [LoggerMessage(3011, LogLevel.Warning, "Spool removed empty or unreadable segment file {Segment} at recovery")]
    public static partial void RemovedEmptySegment(ILogger logger, string segment);
}
