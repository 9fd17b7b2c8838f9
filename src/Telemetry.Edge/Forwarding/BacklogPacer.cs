namespace Telemetry.Edge.Forwarding;

/// <summary>
/// The backlog lane's rate cap (virtual scheduling, as in GCRA): every batch sent pushes the earliest time of the next
/// one by its cost, samples / <see cref="BacklogOptions.MaxSamplesPerSecond"/> or bytes /
/// <see cref="BacklogOptions.MaxBytesPerSecond"/>, whichever is longer. Idle time earns at most <see cref="Slack"/> of
/// credit (so a batch that went out a little late does not lower the rate), so a lane that was held back for live
/// data never bursts. Time comes from the <see cref="TimeProvider"/>. Thread-safe.
/// </summary>
internal sealed class BacklogPacer(BacklogOptions options, TimeProvider timeProvider)
{
    public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(100);

    private readonly long _slack = (long)(Slack.TotalSeconds * timeProvider.TimestampFrequency);
    private readonly Lock _lock = new();
    private long _readyAt; // TimeProvider timestamp

    public bool IsCapped => options.MaxSamplesPerSecond is not null || options.MaxBytesPerSecond is not null;

    /// <summary>Largest backlog batch: at most a quarter second of the samples cap, so pacing stays smooth.</summary>
    public int BatchLimit(int maxBatchSamples) =>
        options.MaxSamplesPerSecond is { } cap ? Math.Clamp(cap / 4, 1, maxBatchSamples) : maxBatchSamples;

    /// <summary>How long the backlog must wait before its next batch (zero when it may go now).</summary>
    public TimeSpan Wait()
    {
        lock (_lock)
        {
            var now = timeProvider.GetTimestamp();
            return _readyAt <= now ? TimeSpan.Zero : timeProvider.GetElapsedTime(now, _readyAt);
        }
    }

    /// <summary>Accounts a batch that goes out now.</summary>
    public void Charge(int samples, int bytes)
    {
        if (!IsCapped)
        {
            return;
        }

        var seconds = Math.Max(
            options.MaxSamplesPerSecond is { } sampleCap ? (double)samples / sampleCap : 0,
            options.MaxBytesPerSecond is { } byteCap ? (double)bytes / byteCap : 0);
        var cost = (long)(seconds * timeProvider.TimestampFrequency);
        lock (_lock)
        {
            _readyAt = Math.Max(_readyAt, timeProvider.GetTimestamp() - _slack) + cost;
        }
    }
}
