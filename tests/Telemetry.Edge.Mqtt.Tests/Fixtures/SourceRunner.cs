using Telemetry.Core;

namespace Telemetry.Edge.Mqtt.Tests.Fixtures;

/// <summary>Runs a source in the background until disposed; disposal rethrows what the run failed with.</summary>
internal sealed class SourceRunner : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public SourceRunner(ISampleSource source, ISampleSink sink)
    {
        Source = source;
        _run = Task.Run(() => source.RunAsync(sink, _stop.Token));
    }

    public ISampleSource Source { get; }

    public Task Run => _run;

    public async Task WaitConnectedAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Source.GetHealth().State != SourceLinkState.Connected)
        {
            if (_run.IsCompleted)
            {
                await _run;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Source {Source.Name} did not connect: {Source.GetHealth().LastError}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
