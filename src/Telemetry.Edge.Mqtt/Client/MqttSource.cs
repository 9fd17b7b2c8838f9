using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using Polly;
using Polly.Retry;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Client;
using Telemetry.Edge.Mqtt.Diagnostics;
using Telemetry.Edge.Mqtt.Mapping;
using Telemetry.Edge.Mqtt.Pipeline;

namespace Telemetry.Edge.Mqtt;

/// <summary>
/// The edge's MQTT source: one MQTTnet 5 client per connection, kept alive by a Polly retry loop (exponential
/// backoff with jitter, capped), resubscribing when the broker did not keep the session. QoS 1/2 messages are
/// acknowledged only after their samples are in the sink (the spool), so a crash in between means a redelivery,
/// never a loss.
/// </summary>
public sealed partial class MqttSource : ISampleSource
{
    private readonly MqttSourceOptions _options;
    private readonly ILogger _logger;
    private readonly MqttMetrics _metrics;
    private readonly string _broker;
    private readonly MqttTlsValidator? _tls;
    private readonly Lock _stateLock = new();
    private SourceLinkState _state = SourceLinkState.Starting;
    private string? _lastError;
    private IMqttClient? _client;
    private int _running;

    public MqttSource(MqttSourceOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _metrics = new MqttMetrics(options.Name, _logger, options.TimeProvider);
        _broker = $"{(options.Tls is null ? "mqtt" : "mqtts")}://{options.Host}:{options.Port}";
        _tls = options.Tls is null ? null : new MqttTlsValidator(options.Tls);
    }

    public string Name => _options.Name;

    public string Kind => "mqtt";

    public SourceHealth GetHealth()
    {
        lock (_stateLock)
        {
            return new SourceHealth(Name, Kind, _state, _metrics.SamplesMapped, _metrics.LastSampleUnixNs, _lastError);
        }
    }

    /// <summary>Counters: received, mapped, rejected by reason and topic, reconnects, in flight.</summary>
    public MqttStatistics GetStatistics() => _metrics.Snapshot();

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"MQTT source '{Name}' is already running.");
        }

        using var pipeline = new IngestPipeline(Name, new MessageMapper(_options.Rules), _metrics, _logger, _options.MaxBatchSamples, _options.TimeProvider);
        pipeline.AfterFlush = ct => PublishRebirthRequestsAsync(pipeline, ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = pipeline.RunAsync(sink, stop.Token);
        try
        {
            var retry = BuildRetry(stop.Token);
            while (true)
            {
                var connection = await retry.ExecuteAsync(ct => new ValueTask<Connection>(ConnectAsync(pipeline, ct)), stop.Token).ConfigureAwait(false);
                try
                {
                    // Either the link drops or the writer fails (it only ends by cancellation or a bug).
                    var done = await Task.WhenAny(connection.Disconnected, writer).ConfigureAwait(false);
                    if (done == writer)
                    {
                        await writer.ConfigureAwait(false);
                    }

                    var reason = await connection.Disconnected.ConfigureAwait(false);
                    _metrics.Reconnected();
                    SetState(SourceLinkState.Reconnecting, reason);
                    Log.Disconnected(_logger, Name, _broker, reason);
                }
                finally
                {
                    await CloseAsync(connection.Client, stop.Token.IsCancellationRequested).ConfigureAwait(false);
                }

                // A broker that accepts and drops at once must not make us spin.
                await Task.Delay(_options.ReconnectMinDelay, _options.TimeProvider, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            SetState(SourceLinkState.Disconnected, null);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Unwritten messages stay unacknowledged: the broker redelivers them to the next session.
            }

            Volatile.Write(ref _running, 0);
        }
    }

    private ResiliencePipeline<Connection> BuildRetry(CancellationToken stopping)
    {
        return new ResiliencePipelineBuilder<Connection> { TimeProvider = _options.TimeProvider }
            .AddRetry(new RetryStrategyOptions<Connection>
            {
                ShouldHandle = new PredicateBuilder<Connection>().Handle<Exception>(ex => !(ex is OperationCanceledException && stopping.IsCancellationRequested)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectMinDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    var reason = args.Outcome.Exception?.Message ?? "unknown";
                    _metrics.Reconnected();
                    if (SetState(SourceLinkState.Reconnecting, reason) || args.AttemptNumber % 10 == 0)
                    {
                        Log.ConnectFailed(_logger, Name, _broker, reason, (long)args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Sets the link state; true (and logs) only when it changed or the error text is new.</summary>
    private bool SetState(SourceLinkState state, string? error)
    {
        lock (_stateLock)
        {
            var changed = _state != state || !string.Equals(_lastError, error, StringComparison.Ordinal);
            var stateChanged = _state != state;
            _state = state;
            _lastError = error ?? (state == SourceLinkState.Connected ? null : _lastError);
            if (stateChanged)
            {
                Log.StateChanged(_logger, Name, state.ToString(), _broker);
            }

            return changed;
        }
    }

    private sealed record Connection(IMqttClient Client, Task<string> Disconnected);
}
