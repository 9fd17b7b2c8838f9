namespace Telemetry.Edge.Forwarding;

/// <summary>
/// Live first after an outage (`datacenter.backlog` in edge.yaml): when the forwarder falls behind by more than
/// <see cref="Lag"/>, fresh samples get their own lane from the spool's durable head and the backlog drains behind
/// them, on the in-flight slots live data does not need and at most at the caps below.
/// </summary>
public sealed record BacklogOptions
{
    /// <summary>False: one lane, strictly in spool order (the backlog delays fresh samples until it is sent).</summary>
    public bool LiveFirst { get; init; } = true;

    /// <summary>How far behind (receive time of the oldest sample just read) the forwarder may be before it splits.</summary>
    public TimeSpan Lag { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Samples per second the backlog may send. Null: no fixed cap, only the capacity live data leaves.</summary>
    public int? MaxSamplesPerSecond { get; init; }

    /// <summary>Request body bytes (after gzip) per second the backlog may send. Null: no fixed cap.</summary>
    public long? MaxBytesPerSecond { get; init; }

    public void Validate()
    {
        if (Lag < TimeSpan.FromMilliseconds(100) || Lag > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("lag must be from 100ms to 1h.");
        }

        if (MaxSamplesPerSecond is <= 0)
        {
            throw new ArgumentException("max_samples_per_second must be positive.");
        }

        if (MaxBytesPerSecond is <= 0)
        {
            throw new ArgumentException("max_bytes_per_second must be positive.");
        }
    }
}
