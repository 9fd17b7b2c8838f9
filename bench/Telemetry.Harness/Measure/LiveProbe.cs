using System.Net.Http.Headers;
using System.Text.Json;

namespace Telemetry.Harness.Measure;

/// <summary>
/// A dashboard on the ingest's `GET /api/live` (server-sent events): every sample's arrival − its source time is the
/// end-to-end live latency (the event carries milliseconds). Reconnects when the ingest restarts.
/// </summary>
public sealed class LiveProbe : IAsyncDisposable
{
    private readonly Uri _ingest;
    private readonly string _token;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _received;
    private long _newest;

    public LiveProbe(Uri ingest, string token)
    {
        _ingest = ingest;
        _token = token;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Where measured samples go; null before the measured window.</summary>
    public Timeline? Timeline { get; set; }

    public LatencyHistogram Latencies { get; } = new();

    public long Received => Interlocked.Read(ref _received);

    /// <summary>The newest source time (Unix ms) seen so far.</summary>
    public long NewestSourceTimeMs => Interlocked.Read(ref _newest);

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
        using var http = new HttpClient { BaseAddress = _ingest, Timeout = Timeout.InfiniteTimeSpan };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "api/live");
                request.Headers.Authorization = new AuthenticationHeaderValue("Token", _token);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.StartsWith("data: [", StringComparison.Ordinal))
                    {
                        OnEvent(line.AsMemory(6));
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private void OnEvent(ReadOnlyMemory<char> json)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var timeline = Timeline;
        using var doc = JsonDocument.Parse(json);
        foreach (var sample in doc.RootElement.EnumerateArray())
        {
            Interlocked.Increment(ref _received);
            if (!sample.TryGetProperty("ts", out var ts))
            {
                continue;
            }

            var source = ts.GetInt64();
            if (source > Interlocked.Read(ref _newest))
            {
                Interlocked.Exchange(ref _newest, source);
            }

            if (timeline is not null)
            {
                var latency = now - source;
                if (timeline.SecondOf(now) >= 0)
                {
                    Latencies.Add(latency);
                    timeline.AddLive(now, latency);
                }
            }
        }
    }
}
