using Telemetry.Harness.Check;

namespace Telemetry.Harness.Measure;

/// <summary>
/// Source time → queryable in the store: once a second it takes the newest tick of one series and polls the store
/// (no force-flush: what an analyst's query sees) until that point is there.
/// </summary>
public sealed class QueryableProbe : IAsyncDisposable
{
    private readonly VictoriaReader _reader;
    private readonly string _selector;
    private readonly Func<long, long> _tickAt;
    private readonly Func<long, long> _tickTimeMs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="selector">One series, e.g. <c>machine_t000{machine="m000"}</c>.</param>
    public QueryableProbe(VictoriaReader reader, string selector, Func<long, long> tickAt, Func<long, long> tickTimeMs)
    {
        _reader = reader;
        _selector = selector;
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
            var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var tickMs = _tickTimeMs(_tickAt(started));
            var deadline = started + 60_000;
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
            await foreach (var point in _reader.ExportAsync(_selector, tickMs - 5000, tickMs + 5000, cancellationToken))
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
