using System.Buffers.Text;
using System.Net.Http.Headers;

namespace Telemetry.IngestLoad;

/// <summary>
/// The measuring end of the latency run: reads the ingest's `GET /api/live` server-sent events as bytes and takes
/// only each sample's `"ts":` (source ms) out of the `data: [...]` lines, with vectorized searches and no JSON
/// document, no strings: at 100,000 samples/s the subscriber must not be what takes the cores it shares with the
/// pipeline it measures. Latency = arrival (ms) − ts, so each figure is at most 1 ms pessimistic.
/// </summary>
public sealed class LiveSseSubscriber
{
    private readonly List<double> _latencies;
    private long _received;
    private long _dropped;
    private bool _droppedEvent;
    private volatile bool _measuring;

    public LiveSseSubscriber(int capacity) => _latencies = new List<double>(capacity);

    /// <summary>Samples that arrived since start (measured or not).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Samples the ingest's live hub dropped for this (too slow) subscriber, from its `dropped` events.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Latencies of the samples that arrived while measuring; read after <see cref="RunAsync"/> ended.</summary>
    public List<double> Latencies => _latencies;

    public void StartMeasuring() => _measuring = true;

    public void StopMeasuring() => _measuring = false;

    /// <param name="subscribed">Called once the response headers arrived (the hub has the subscription).</param>
    public async Task RunAsync(HttpClient http, string token, CancellationToken cancellationToken, Action? subscribed = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/live");
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        subscribed?.Invoke();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[1 << 20];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2); // one frame longer than the buffer
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return;
            }

            filled += read;
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var consumed = ConsumeLines(buffer.AsSpan(0, filled), now);
            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
        }
    }

    /// <summary>Handles every complete line; returns the bytes consumed (up to the last newline).</summary>
    private int ConsumeLines(ReadOnlySpan<byte> data, long nowMs)
    {
        var consumed = 0;
        while (true)
        {
            var end = data[consumed..].IndexOf((byte)'\n');
            if (end < 0)
            {
                return consumed;
            }

            var line = data.Slice(consumed, end);
            consumed += end + 1;
            if (line.StartsWith("data: ["u8))
            {
                CountSamples(line, nowMs);
            }
            else if (line.StartsWith("event: "u8))
            {
                _droppedEvent = line.SequenceEqual("event: dropped"u8);
            }
            else if (_droppedEvent && line.StartsWith("data: "u8) && Utf8Parser.TryParse(line[6..], out long dropped, out _))
            {
                Interlocked.Add(ref _dropped, dropped);
                _droppedEvent = false;
            }
        }
    }

    private void CountSamples(ReadOnlySpan<byte> line, long nowMs)
    {
        var measuring = _measuring;
        long count = 0;
        while (true)
        {
            var at = line.IndexOf("\"ts\":"u8);
            if (at < 0)
            {
                break;
            }

            line = line[(at + 5)..];
            count++;
            if (measuring && Utf8Parser.TryParse(line, out long ts, out var length))
            {
                _latencies.Add(nowMs - ts);
                line = line[length..];
            }
        }

        Interlocked.Add(ref _received, count);
    }
}
