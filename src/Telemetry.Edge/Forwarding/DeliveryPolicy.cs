using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Telemetry.Edge.Forwarding;

/// <summary>
/// How the forwarder keeps trying one batch until the datacenter has it (data the edge accepted is never dropped
/// for a network reason): Polly retry with jittered exponential backoff that honours Retry-After, a circuit
/// breaker shared by all in-flight requests, and a timeout per attempt. Configuration and certificate errors are
/// retried slowly (at the longest delay): someone has to fix them, and the spool keeps buffering meanwhile.
/// Only a refusal of the batch itself (400) or cancellation ends the attempts without delivery.
/// </summary>
public sealed partial class DeliveryPolicy
{
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromMinutes(5);
    private readonly ResiliencePipeline<DeliveryOutcome> _pipeline;
    private readonly ForwarderStatus _status;
    private readonly ILogger _logger;

    public DeliveryPolicy(DatacenterOptions options, ForwarderStatus status, ILogger logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _status = status ?? throw new ArgumentNullException(nameof(status));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        var maxDelay = options.MaxRetryDelay;
        _pipeline = new ResiliencePipelineBuilder<DeliveryOutcome> { TimeProvider = timeProvider ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions<DeliveryOutcome>
            {
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = maxDelay,
                DelayGenerator = args => ValueTask.FromResult(DelayFor(args.Outcome, maxDelay)),
                OnRetry = args =>
                {
                    var outcome = AsOutcome(args.Outcome);
                    _status.OnFailedAttempt(outcome);
                    LogRetry(outcome.Status, outcome.HttpStatus, outcome.Message, args.RetryDelay.TotalSeconds, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<DeliveryOutcome>
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is TimeoutRejectedException ||
                    args.Outcome.Result.Status == DeliveryStatus.Transient),
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(5),
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    /// <summary>Runs <paramref name="send"/> until it delivers or the batch is refused; throws only on cancellation.</summary>
    public async Task<DeliveryOutcome> DeliverAsync<TState>(
        Func<TState, CancellationToken, Task<DeliveryOutcome>> send, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(send);
        return await _pipeline.ExecuteAsync(
            static async (s, ct) => await s.send(s.state, ct).ConfigureAwait(false),
            (send, state),
            cancellationToken).ConfigureAwait(false);
    }

    private static bool ShouldRetry(Outcome<DeliveryOutcome> outcome) => outcome.Exception switch
    {
        null => outcome.Result.Status is DeliveryStatus.Transient or DeliveryStatus.ConfigurationError or DeliveryStatus.CertificateError,
        OperationCanceledException => false,
        _ => true, // timeouts, an open circuit, anything else unexpected: keep the data, try again
    };

    private static TimeSpan? DelayFor(Outcome<DeliveryOutcome> outcome, TimeSpan maxDelay)
    {
        if (outcome.Exception is BrokenCircuitException { RetryAfter: { } breakerWait })
        {
            return breakerWait;
        }

        if (outcome.Exception is not null)
        {
            return null;
        }

        var result = outcome.Result;
        if (result.RetryAfter is { } retryAfter)
        {
            return retryAfter < LongestRetryAfter ? retryAfter : LongestRetryAfter;
        }

        return result.Status is DeliveryStatus.ConfigurationError or DeliveryStatus.CertificateError ? maxDelay : null;
    }

    private static DeliveryOutcome AsOutcome(Outcome<DeliveryOutcome> outcome) => outcome.Exception switch
    {
        null => outcome.Result,
        TimeoutRejectedException => new DeliveryOutcome(DeliveryStatus.Transient, 0, "the datacenter did not answer in time", null),
        BrokenCircuitException => new DeliveryOutcome(DeliveryStatus.Transient, 0, "circuit open after repeated failures; waiting before the next try", null),
        var ex => new DeliveryOutcome(DeliveryStatus.Transient, 0, ex.Message, null),
    };

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "Datacenter write failed ({Status}, HTTP {HttpStatus}): {Message}. Retry {Attempt} in {DelaySeconds:0.0} s; samples stay in the spool")]
    private partial void LogRetry(DeliveryStatus status, int httpStatus, string message, double delaySeconds, int attempt);
}
