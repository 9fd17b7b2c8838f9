using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Telemetry.Edge.Forwarding;

/// <summary>
/// How the forwarder keeps trying one batch until the datacenter has it (data the edge accepted is never dropped
/// for a network reason). Polly, outermost first:
/// <list type="number">
/// <item>Retry of real attempts: jittered exponential backoff (up to <see cref="DatacenterOptions.MaxRetryDelay"/>)
/// that honours Retry-After, while the circuit is closed. Once the circuit is open, no own backoff: the breaker
/// decides when the next request goes. Configuration and certificate errors are retried at the longest delay:
/// someone has to fix them, and the spool keeps buffering meanwhile.</item>
/// <item>Retry that only waits for the breaker (<see cref="BrokenCircuitException"/>): costs the datacenter nothing,
/// wakes when the break ends, polls every 100 ms while another request is the half-open probe.</item>
/// <item>Circuit breaker shared by all in-flight requests: after repeated failures one probe per break goes out;
/// the break grows from <see cref="FirstBreak"/> (doubling, with jitter) to
/// <see cref="DatacenterOptions.MaxProbeInterval"/> and starts short again after a success. So a datacenter that
/// stays down sees one request per interval from this edge, and one that comes back is found within one break; the
/// waiting requests follow at once.</item>
/// <item>Timeout per attempt.</item>
/// </list>
/// Only a refusal of the batch itself (400) or cancellation ends the attempts without delivery.
/// </summary>
public sealed partial class DeliveryPolicy
{
    /// <summary>The first break of the circuit after repeated failures (Polly's shortest); it doubles from there.</summary>
    public static readonly TimeSpan FirstBreak = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a request waiting for the breaker looks again while another one is the probe (no traffic).</summary>
    public static readonly TimeSpan BreakerPoll = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromMinutes(5);
    private readonly ResiliencePipeline<DeliveryOutcome> _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly ForwarderStatus _status;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _maxProbeInterval;
    private int _breaks;
    private long _downSince;

    public DeliveryPolicy(DatacenterOptions options, ForwarderStatus status, ILogger logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _status = status ?? throw new ArgumentNullException(nameof(status));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _maxProbeInterval = options.MaxProbeInterval;
        var maxDelay = options.MaxRetryDelay;
        _pipeline = new ResiliencePipelineBuilder<DeliveryOutcome> { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions<DeliveryOutcome>
            {
                Name = "attempts",
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
                    if (_breaker.CircuitState == CircuitState.Closed || args.RetryDelay > TimeSpan.Zero)
                    {
                        LogRetry(outcome.Status, outcome.HttpStatus, outcome.Message, args.RetryDelay.TotalSeconds, args.AttemptNumber + 1);
                    }
                    else
                    {
                        LogStillDown(outcome.Status, outcome.HttpStatus, outcome.Message, _maxProbeInterval.TotalSeconds);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .AddRetry(new RetryStrategyOptions<DeliveryOutcome>
            {
                Name = "wait-for-breaker",
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is BrokenCircuitException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                Delay = BreakerPoll,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(WaitForBreaker(args.Outcome.Exception as BrokenCircuitException)),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<DeliveryOutcome>
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is TimeoutRejectedException ||
                    args.Outcome.Result.Status == DeliveryStatus.Transient),
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = FirstBreak,
                BreakDurationGenerator = _ => ValueTask.FromResult(NextBreak()),
                StateProvider = _breaker,
                OnOpened = args =>
                {
                    if (Volatile.Read(ref _breaks) == 1)
                    {
                        LogCircuitOpened(AsOutcome(args.Outcome).Message, args.BreakDuration.TotalSeconds, _maxProbeInterval.TotalSeconds);
                    }

                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    var probes = Interlocked.Exchange(ref _breaks, 0);
                    var down = _timeProvider.GetElapsedTime(Interlocked.Read(ref _downSince));
                    LogCircuitClosed(down.TotalSeconds, probes);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    /// <summary>The shared circuit: closed (requests go), open (one probe per break), half-open (the probe is out).</summary>
    public CircuitState Circuit => _breaker.CircuitState;

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

    /// <summary>
    /// The nominal break after <paramref name="breaks"/> openings in a row without a success: 0.5 s, 1 s, 2 s, ...
    /// up to <paramref name="max"/>. The break actually taken is 75-100 % of it (jitter, so many edges that lost the
    /// same datacenter do not probe it in step).
    /// </summary>
    public static TimeSpan NominalBreak(int breaks, TimeSpan max)
    {
        var doublings = Math.Clamp(breaks - 1, 0, 30);
        var ticks = FirstBreak.Ticks * (double)(1L << doublings);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    private TimeSpan NextBreak()
    {
        // called by the breaker under its lock, once per opening
        var breaks = Interlocked.Increment(ref _breaks);
        if (breaks == 1)
        {
            Interlocked.Exchange(ref _downSince, _timeProvider.GetTimestamp());
        }

        var nominal = NominalBreak(breaks, _maxProbeInterval);
        var jittered = TimeSpan.FromMilliseconds(Math.Round(nominal.TotalMilliseconds * (0.75 + (0.25 * Random.Shared.NextDouble()))));
        return jittered < FirstBreak ? FirstBreak : jittered;
    }

    /// <summary>Until the break ends (open), or a short look again (half-open: another request is the probe).</summary>
    private TimeSpan WaitForBreaker(BrokenCircuitException? broken)
    {
        if (_breaker.CircuitState == CircuitState.Open && broken?.RetryAfter is { } left && left > TimeSpan.Zero)
        {
            // whole milliseconds: a timer rounds a shorter wait down to none, and the retry would spin until then
            var wait = TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds));
            return wait < _maxProbeInterval ? wait : _maxProbeInterval;
        }

        return BreakerPoll;
    }

    private static bool ShouldRetry(Outcome<DeliveryOutcome> outcome) => outcome.Exception switch
    {
        null => outcome.Result.Status is DeliveryStatus.Transient or DeliveryStatus.ConfigurationError or DeliveryStatus.CertificateError,
        OperationCanceledException => false,
        _ => true, // timeouts, anything else unexpected: keep the data, try again
    };

    private TimeSpan? DelayFor(Outcome<DeliveryOutcome> outcome, TimeSpan maxDelay)
    {
        if (outcome.Exception is null)
        {
            var result = outcome.Result;
            if (result.RetryAfter is { } retryAfter)
            {
                return retryAfter < LongestRetryAfter ? retryAfter : LongestRetryAfter;
            }

            if (result.Status is DeliveryStatus.ConfigurationError or DeliveryStatus.CertificateError)
            {
                return maxDelay;
            }
        }

        // The datacenter is considered down: the breaker times the next request (its probe), not this backoff.
        return _breaker.CircuitState == CircuitState.Closed ? null : TimeSpan.Zero;
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

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "Datacenter considered down after repeated failures ({Message}): one probe in {BreakSeconds:0.0} s, then at most every {MaxProbeSeconds:0.#} s; samples stay in the spool")]
    private partial void LogCircuitOpened(string message, double breakSeconds, double maxProbeSeconds);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information,
        Message = "Datacenter still down ({Status}, HTTP {HttpStatus}): {Message}. Next probe within {MaxProbeSeconds:0.#} s; samples stay in the spool")]
    private partial void LogStillDown(DeliveryStatus status, int httpStatus, string message, double maxProbeSeconds);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information,
        Message = "Datacenter reachable again after {DownSeconds:0.0} s ({Probes} probe(s)); delivering")]
    private partial void LogCircuitClosed(double downSeconds, int probes);
}
