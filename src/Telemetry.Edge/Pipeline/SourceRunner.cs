using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Telemetry.Core;

namespace Telemetry.Edge.Pipeline;

/// <summary>
/// Owns the running sources: each runs in its own loop, independent of the others (one unreachable PLC never
/// delays another). A source that fails is logged and restarted with capped, jittered exponential backoff.
/// A configuration reload swaps sources while the others keep running (<see cref="ReplaceAsync"/>).
/// </summary>
public sealed partial class SourceRunner : IHostedService, IAsyncDisposable
{
    private readonly ISampleSink _sink;
    private readonly ILogger<SourceRunner> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private readonly List<Running> _running = [];
    private IReadOnlyList<ISampleSource> _pending;
    private CancellationTokenSource? _stopping;

    public SourceRunner(IReadOnlyList<ISampleSource> sources, ISampleSink sink, ILogger<SourceRunner> logger, TimeProvider? timeProvider = null)
    {
        _pending = sources ?? throw new ArgumentNullException(nameof(sources));
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The sources as they are now (after the last reload).</summary>
    public IReadOnlyList<ISampleSource> Sources
    {
        get
        {
            lock (_lock)
            {
                return _stopping is null ? _pending : [.. _running.Select(r => r.Source)];
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _stopping ??= new CancellationTokenSource();
            foreach (var source in _pending)
            {
                _running.Add(Launch(source, _stopping.Token));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops <paramref name="stop"/> (each finishes its current write into the sink) and starts <paramref name="start"/>.</summary>
    public async Task ReplaceAsync(IReadOnlyCollection<ISampleSource> stop, IReadOnlyCollection<ISampleSource> start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stop);
        ArgumentNullException.ThrowIfNull(start);
        List<Running> stopping;
        lock (_lock)
        {
            stopping = [.. _running.Where(r => stop.Contains(r.Source))];
            _running.RemoveAll(stopping.Contains);
            if (_stopping is null)
            {
                _pending = [.. _pending.Where(s => !stop.Contains(s)), .. start];
            }
        }

        await StopAllAsync(stopping, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_stopping is not null)
            {
                foreach (var source in start)
                {
                    _running.Add(Launch(source, _stopping.Token));
                }
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<Running> all;
        lock (_lock)
        {
            all = [.. _running];
            _running.Clear();
            _pending = [.. all.Select(r => r.Source)];
            _stopping?.Dispose();
            _stopping = null;
        }

        await StopAllAsync(all, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task StopAllAsync(List<Running> runs, CancellationToken cancellationToken)
    {
        foreach (var run in runs)
        {
            await run.Cancel.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(runs.Select(r => r.Task)).WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var run in runs)
        {
            run.Cancel.Dispose();
        }
    }

    private Running Launch(ISampleSource source, CancellationToken stopping)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        return new Running(source, cancel, RunOneAsync(source, cancel.Token));
    }

    private async Task RunOneAsync(ISampleSource source, CancellationToken cancellationToken)
    {
        await Task.Yield();
        LogSourceStarting(source.Name, source.Kind);
        try
        {
            await CreateRestartPipeline(source.Name).ExecuteAsync(
                static async (state, ct) => await state.source.RunAsync(state.sink, ct).ConfigureAwait(false),
                (source, sink: _sink),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Unreachable with the retry-forever pipeline, but this task has no other owner to report to.
            LogSourceFailed(ex, source.Name, double.NaN);
        }

        LogSourceStopped(source.Name);
    }

    private ResiliencePipeline CreateRestartPipeline(string name) =>
        new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                OnRetry = args =>
                {
                    LogSourceFailed(args.Outcome.Exception, name, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    private sealed record Running(ISampleSource Source, CancellationTokenSource Cancel, Task Task);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Source {Name} ({Kind}) starting")]
    private partial void LogSourceStarting(string name, string kind);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Source {Name} stopped")]
    private partial void LogSourceStopped(string name);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Source {Name} failed; restarting it in {DelaySeconds:0.0} s")]
    private partial void LogSourceFailed(Exception? exception, string name, double delaySeconds);
}
