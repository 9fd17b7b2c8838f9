using System.Diagnostics.CodeAnalysis;

namespace Telemetry.Storage;

public enum SpoolError
{
    /// <summary>A file operation failed (write, fsync, open); the segment was closed and recovered.</summary>
    Io = 0,

    /// <summary>The disk is full; appends resume once space is freed.</summary>
    DiskFull = 1,

    /// <summary>The disk budget is reached and the policy is reject-new.</summary>
    BudgetExhausted = 2,

    /// <summary>A record or batch is larger than the spool's limits.</summary>
    RecordTooLarge = 3,

    /// <summary>Bytes on disk do not decode as the spool format.</summary>
    Corrupt = 4,

    /// <summary>The spool was disposed or is faulted and must be reopened.</summary>
    Closed = 5,
}

/// <summary>The one exception type of the spool. <see cref="IsTransient"/> says whether retrying later can succeed.</summary>
public sealed class SpoolException : Exception
{
    public SpoolException()
    {
    }

    public SpoolException(string message)
        : base(message)
    {
    }

    public SpoolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SpoolException(SpoolError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    public SpoolError Error { get; }

    public bool IsTransient => Error is SpoolError.Io or SpoolError.DiskFull or SpoolError.BudgetExhausted;

    [DoesNotReturn]
    internal static void Throw(SpoolError error, string message) => throw new SpoolException(error, message);

    [DoesNotReturn]
    internal static void ThrowCorrupt(string message) => throw new SpoolException(SpoolError.Corrupt, message);
}
