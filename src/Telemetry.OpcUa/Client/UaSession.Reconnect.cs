using Polly;
using Polly.Retry;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Client;

public sealed partial class UaSession
{
    private readonly ResiliencePipeline _reconnectPipeline;
    private Task _reconnectTask = Task.CompletedTask;
    private int _reconnecting;

    /// <summary>Raised after a reconnect: true when the old session was re-activated, false when a new one was created.</summary>
    public event Action<bool>? Reconnected;

    /// <summary>Breaks the current channel (as a network cut would) — the watchdog's and the tests' lever.</summary>
    public void BreakConnection(string reason) =>
        _channel?.Break(new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), reason));

    private ResiliencePipeline BuildReconnectPipeline() => new ResiliencePipelineBuilder { TimeProvider = _options.TimeProvider }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<OpcUaException>().Handle<TimeoutException>().Handle<IOException>(),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.ReconnectMinDelay,
            MaxDelay = _options.ReconnectMaxDelay,
            OnRetry = args =>
            {
                // Why we are still not connected (e.g. a server certificate to trust) is what an operator needs to see.
                LastConnectionError = args.Outcome.Exception ?? LastConnectionError;
                Log.ReconnectFailed(_logger, EndpointUrl, args.AttemptNumber + 1, args.Outcome.Exception?.Message ?? "unknown");
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>
    /// Why the connection last broke or the last reconnect attempt failed (an <see cref="OpcUaException"/> naming the
    /// status), null if it never did.
    /// </summary>
    public Exception? LastConnectionError { get; private set; }

    private void OnChannelBroken(Exception cause)
    {
        LastConnectionError = cause;
        if (_disposed != 0 || Interlocked.Exchange(ref _reconnecting, 1) != 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_connected.Task.IsCompleted)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        Log.SessionLost(_logger, EndpointUrl, cause.Message);
        _reconnectTask = Task.Run(ReconnectAsync);
    }

    private async Task ReconnectAsync()
    {
        var token = _disposing.Token;
        try
        {
            var reactivated = await _reconnectPipeline.ExecuteAsync(
                async ct =>
                {
                    var reused = await EstablishAsync(reuseSession: true, ct).ConfigureAwait(false);
                    await RestoreSubscriptionsAsync(reused, ct).ConfigureAwait(false);
                    return reused;
                },
                token).ConfigureAwait(false);
            ReconnectCount++;
            Volatile.Write(ref _reconnecting, 0);
            _connected.TrySetResult();
            Reconnected?.Invoke(reactivated);
            if (_channel is { IsBroken: true } channel)
            {
                OnChannelBroken(channel.IsBroken ? new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), "broken again") : new InvalidOperationException());
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private void MarkConnected() => _connected.TrySetResult();
}
