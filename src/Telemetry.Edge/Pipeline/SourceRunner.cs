using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Telemetry.Core;

namespace Telemetry.Edge.Pipeline;

/// <summary>
/// Owns the running sources: each runs in its own loop, independent of the others (one unreachable PLC never
/// delays another). A source that fails is logged and restarted with capped, jittered exponential backoff.
/// </summary>
public sealed partial class SourceRunner : BackgroundService
{
    private readonly IReadOnlyList<ISampleSource> _sources;
    private readonly ISampleSink _sink;
    private readonly ILogger<SourceRunner> _logger;
    private readonly TimeProvider _timeProvider;

    public SourceRunner(IReadOnlyList<ISampleSource> sources, ISampleSink sink, ILogger<SourceRunner> logger, TimeProvider? timeProvider = null)
    {
        _sources = sources ?? throw new ArgumentNullException(nameof(sources));
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public IReadOnlyList<ISampleSource> Sources => _sources;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runs = new Task[_sources.Count];
        for (var i = 0; i < _sources.Count; i++)
        {
            runs[i] = RunOneAsync(_sources[i], stoppingToken);
        }

        return Task.WhenAll(runs);
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

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Source {Name} ({Kind}) starting")]
    private partial void LogSourceStarting(string name, string kind);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Source {Name} stopped")]
    private partial void LogSourceStopped(string name);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Source {Name} failed; restarting it in {DelaySeconds:0.0} s")]
    private partial void LogSourceFailed(Exception? exception, string name, double delaySeconds);
}
