namespace Telemetry.Ingest.Stores;

/// <summary>How a store write ended; the write endpoint maps each to the edge's HTTP status.</summary>
public enum StoreStatus : byte
{
    /// <summary>The store acknowledged the points (the edge gets 204 and may drop them).</summary>
    Stored,

    /// <summary>The store refused the points as invalid (e.g. a field type conflict): 400 with its message.</summary>
    Rejected,

    /// <summary>Too many writes waiting for the store: 429, retry after a moment.</summary>
    Saturated,

    /// <summary>The store is down or timed out after the retries: 503 with Retry-After; nothing was acknowledged.</summary>
    Unavailable,
}

public readonly record struct StoreOutcome(StoreStatus Status, string? Message = null, TimeSpan? RetryAfter = null)
{
    /// <summary>A <see cref="StoreStatus.Rejected"/> because the batch is over the store's size limit (413: the edge splits it).</summary>
    public bool TooLarge { get; init; }

    public static StoreOutcome Stored { get; } = new(StoreStatus.Stored);
}
