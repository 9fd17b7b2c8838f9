namespace Telemetry.Edge.Forwarding;

public enum ForwarderLinkState
{
    Idle,
    Connected,
    Retrying,
    ConfigurationError,
    CertificateError,
}

/// <summary>The datacenter link as the dashboard, `status` and /metrics show it (thread-safe counters).</summary>
public sealed class ForwarderStatus
{
    private readonly Lock _lock = new();
    private long _deliveredSamples;
    private long _deliveredBatches;
    private long _rejectedSamples;
    private long _failedAttempts;

    public ForwarderLinkState State { get; private set; } = ForwarderLinkState.Idle;

    public string? LastError { get; private set; }

    public DateTimeOffset? LastDelivery { get; private set; }

    public long DeliveredSamples => Interlocked.Read(ref _deliveredSamples);

    public long DeliveredBatches => Interlocked.Read(ref _deliveredBatches);

    public long RejectedSamples => Interlocked.Read(ref _rejectedSamples);

    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

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
