namespace Telemetry.Edge.Forwarding;

public enum ForwarderLinkState
{
    Idle,
    Connected,
    Retrying,
    ConfigurationError,
    CertificateError,
}

/// <summary>The backlog lane of live-first forwarding (see <see cref="BacklogOptions"/>).</summary>
public enum BacklogLaneState
{
    /// <summary>live_first is off: one lane in spool order.</summary>
    Disabled,

    /// <summary>No backlog: one lane.</summary>
    Inactive,

    /// <summary>Fresh samples go first on their own lane; the backlog drains behind them.</summary>
    Draining,

    /// <summary>The backlog is sent; the lanes join again once the last live requests are answered.</summary>
    Merging,
}

/// <summary>The datacenter link as the dashboard, `status` and /metrics show it (thread-safe counters).</summary>
public sealed class ForwarderStatus(TimeProvider? timeProvider = null)
{
    private const int DrainWindowSeconds = 5;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly long[] _drainBuckets = new long[DrainWindowSeconds + 2];
    private readonly long[] _drainBucketSecond = new long[DrainWindowSeconds + 2];
    private long _deliveredSamples;
    private long _deliveredBatches;
    private long _rejectedSamples;
    private long _failedAttempts;
    private long _backlogDeliveredSamples;
    private long _backlogSamplesRemaining;
    private long _liveLatencyTicks = -1;
    private int _backlogLane = (int)BacklogLaneState.Inactive;

    public ForwarderLinkState State { get; private set; } = ForwarderLinkState.Idle;

    public string? LastError { get; private set; }

    public DateTimeOffset? LastDelivery { get; private set; }

    public long DeliveredSamples => Interlocked.Read(ref _deliveredSamples);

    public long DeliveredBatches => Interlocked.Read(ref _deliveredBatches);

    public long RejectedSamples => Interlocked.Read(ref _rejectedSamples);

    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    public BacklogLaneState BacklogLane => (BacklogLaneState)Volatile.Read(ref _backlogLane);

    /// <summary>Estimated samples the backlog lane has still to read (records left × the backlog's samples per record).</summary>
    public long BacklogSamplesRemaining => Interlocked.Read(ref _backlogSamplesRemaining);

    /// <summary>Samples the backlog lane delivered since the forwarder started.</summary>
    public long BacklogDeliveredSamples => Interlocked.Read(ref _backlogDeliveredSamples);

    /// <summary>Backlog samples delivered per second over the last five whole seconds.</summary>
    public double BacklogDrainRate
    {
        get
        {
            var second = _time.GetUtcNow().ToUnixTimeSeconds();
            long sum = 0;
            lock (_lock)
            {
                for (var i = 0; i < _drainBuckets.Length; i++)
                {
                    var age = second - _drainBucketSecond[i];
                    if (age is >= 1 and <= DrainWindowSeconds)
                    {
                        sum += _drainBuckets[i];
                    }
                }
            }

            return (double)sum / DrainWindowSeconds;
        }
    }

    /// <summary>Receive time of the oldest sample of the last live batch → its 2xx; null before the first.</summary>
    public TimeSpan? LastLiveLatency => Interlocked.Read(ref _liveLatencyTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

    internal void OnDelivered(int samples, DateTimeOffset now)
    {
        Interlocked.Add(ref _deliveredSamples, samples);
        Interlocked.Increment(ref _deliveredBatches);
        lock (_lock)
        {
            State = ForwarderLinkState.Connected;
            LastDelivery = now;
        }
    }

    internal void OnBacklogDelivered(int samples, DateTimeOffset now)
    {
        Interlocked.Add(ref _backlogDeliveredSamples, samples);
        var second = now.ToUnixTimeSeconds();
        var index = (int)(second % _drainBuckets.Length);
        lock (_lock)
        {
            if (_drainBucketSecond[index] != second)
            {
                _drainBucketSecond[index] = second;
                _drainBuckets[index] = 0;
            }

            _drainBuckets[index] += samples;
        }
    }

    internal void OnLiveDelivered(TimeSpan latency) =>
        Interlocked.Exchange(ref _liveLatencyTicks, Math.Max(0, latency.Ticks));

    internal void SetBacklog(BacklogLaneState state, long samplesRemaining)
    {
        Volatile.Write(ref _backlogLane, (int)state);
        Interlocked.Exchange(ref _backlogSamplesRemaining, Math.Max(0, samplesRemaining));
    }

    internal void OnRejected(int samples) => Interlocked.Add(ref _rejectedSamples, samples);

    internal void OnFailedAttempt(DeliveryOutcome outcome)
    {
        Interlocked.Increment(ref _failedAttempts);
        lock (_lock)
        {
            State = outcome.Status switch
            {
                DeliveryStatus.ConfigurationError => ForwarderLinkState.ConfigurationError,
                DeliveryStatus.CertificateError => ForwarderLinkState.CertificateError,
                _ => ForwarderLinkState.Retrying,
            };
            LastError = outcome.HttpStatus == 0 ? outcome.Message : $"HTTP {outcome.HttpStatus}: {outcome.Message}";
        }
    }
}
