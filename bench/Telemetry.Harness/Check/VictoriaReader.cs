using System.Globalization;
using System.Text.Json;

namespace Telemetry.Harness.Check;

/// <summary>One raw point of a series as VictoriaMetrics exports it.</summary>
public readonly record struct StoredPoint(string Machine, string Tag, long TimeMs, double Value);

/// <summary>Reads raw points back from VictoriaMetrics (`/api/v1/export`, one JSON line per series), streamed.</summary>
public sealed class VictoriaReader : IStoreReader
{
    private readonly HttpClient _http;

    public VictoriaReader(Uri baseAddress) => _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };

    public async Task ForceFlushAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri("internal/force_flush", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public IAsyncEnumerable<StoredPoint> ExportAsync(string? machine, string? tag, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        var selector = tag is null ? "{__name__=~\"machine_t[0-9]+\"" : $"{{__name__=\"machine_{tag}\"";
        selector += machine is null ? "}" : $",machine=\"{machine}\"}}";
        return ExportAsync(selector, fromMs, toMs, cancellationToken);
    }

    /// <summary>Every point of the selector's series between two Unix ms times (inclusive), series by series.</summary>
    public async IAsyncEnumerable<StoredPoint> ExportAsync(string selector, long fromMs, long toMs,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var uri = new Uri($"api/v1/export?match[]={Uri.EscapeDataString(selector)}&start={Seconds(fromMs)}&end={Seconds(toMs)}", UriKind.Relative);
        using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"VictoriaMetrics export of {selector} failed ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var metric = doc.RootElement.GetProperty("metric");
            var name = metric.GetProperty("__name__").GetString() ?? string.Empty;
            var tag = name.StartsWith("machine_", StringComparison.Ordinal) ? name["machine_".Length..] : name;
            var machine = metric.TryGetProperty("machine", out var m) ? m.GetString() ?? string.Empty : string.Empty;
            var values = doc.RootElement.GetProperty("values");
            var times = doc.RootElement.GetProperty("timestamps");
            var n = values.GetArrayLength();
            for (var i = 0; i < n; i++)
            {
                var time = times[i].GetInt64();
                if (time >= fromMs && time <= toMs)
                {
                    yield return new StoredPoint(machine, tag, time, values[i].GetDouble());
                }
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Seconds(long ms) => (ms / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
}
