using Telemetry.Harness.Check;

namespace Telemetry.Harness.Measure;

/// <summary>
/// Source time → queryable in the store: once a second it takes the newest tick of one series and polls the store
/// (no force-flush: what an analyst's query sees) until that point is there.
/// </summary>
public sealed class QueryableProbe : IAsyncDisposable
{
    private readonly IStoreReader _reader;
    private readonly string _machine;
    private readonly string _tag;
    private readonly Func<long, long> _tickAt;
    private readonly Func<long, long> _tickTimeMs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public QueryableProbe(IStoreReader reader, string machine, string tag, Func<long, long> tickAt, Func<long, long> tickTimeMs)
    {
        _reader = reader;
        _machine = machine;
        _tag = tag;
        _tickAt = tickAt;
        _tickTimeMs = tickTimeMs;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public Timeline? Timeline { get; set; }

    public LatencyHistogram Latencies { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (Timeline is null)
            {
                // Only measured windows: a tick from before the edge subscribed would never arrive.
                await Task.Delay(200, cancellationToken);
                continue;
            }

            var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var tickMs = _tickTimeMs(_tickAt(started));
            var deadline = started + 180_000; // across a store outage the wait is the outage
            while (!cancellationToken.IsCancellationRequested && DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < deadline)
            {
                if (await FoundAsync(tickMs, cancellationToken))
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    if (Timeline is { } timeline && timeline.SecondOf(tickMs) >= 0)
                    {
                        Latencies.Add(now - tickMs);
                        timeline.SetQueryable(tickMs, now - tickMs);
                    }

                    break;
                }

                await Task.Delay(50, cancellationToken);
            }

            var wait = started + 1000 - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
            }
        }
    }

    private async Task<bool> FoundAsync(long tickMs, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var point in _reader.ExportAsync(_machine, _tag, tickMs - 5000, tickMs + 5000, cancellationToken))
            {
                if (point.TimeMs == tickMs)
                {
                    return true;
                }
            }
        }
        catch (HttpRequestException)
        {
            // the store is down (a fault): keep polling until the deadline
        }

        return false;
    }
}
