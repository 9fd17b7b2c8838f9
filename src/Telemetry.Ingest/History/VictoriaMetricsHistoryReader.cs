using System.Globalization;
using System.Text;
using System.Text.Json;
using Telemetry.Ingest.Configuration;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.History;

/// <summary>
/// History from VictoriaMetrics (Prometheus query API). Each numeric field is stored as metric
/// <c>machine_&lt;tag&gt;</c> with labels area/line/machine/site (strings are stored as 0, booleans as 0/1). Per tag:
/// <c>count_over_time</c> over the range (<c>/api/v1/query</c>), then the raw points (<c>/api/v1/export</c>) when every
/// machine has at most the wanted number, else <c>avg_over_time(…[step])</c> through <c>/api/v1/query_range</c>.
/// The selector names the metric as <c>__name__="…"</c> and quotes every label value (<see cref="QueryEscaping"/>).
/// </summary>
public sealed class VictoriaMetricsHistoryReader : IHistoryReader
{
    private readonly StoreQueryClient _client;
    private readonly string _measurement;

    public VictoriaMetricsHistoryReader(StoreOptions options, string measurement = SampleLineEncoder.DefaultMeasurement)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = new StoreQueryClient(options);
        _measurement = measurement;
    }

    public async ValueTask<IReadOnlyList<HistorySeries>> ReadAsync(HistoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var result = new List<HistorySeries>();
        foreach (var tag in query.Tags)
        {
            var selector = Selector(query, tag);
            var window = query.ToMs - query.FromMs + 1;
            long most = 0;
            using (var counts = await _client.GetJsonAsync(
                $"/api/v1/query?nocache=1&time={Seconds(query.ToMs)}&query={Uri.EscapeDataString($"count_over_time({selector}[{window}ms])")}", cancellationToken).ConfigureAwait(false))
            {
                foreach (var series in ResultOf(counts))
                {
                    most = Math.Max(most, (long)ParseValue(series.GetProperty("value")[1]));
                }
            }

            if (most == 0)
            {
                continue;
            }

            if (most <= query.Points)
            {
                await ExportAsync(selector, query, tag, result, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var step = Math.Max(1, (window + query.Points - 1) / query.Points);
            var expression = $"avg_over_time({selector}[{step}ms])";
            using var range = await _client.GetJsonAsync(
                $"/api/v1/query_range?nocache=1&start={Seconds(query.FromMs + step)}&end={Seconds(query.ToMs)}&step={step}ms&query={Uri.EscapeDataString(expression)}",
                cancellationToken).ConfigureAwait(false);
            foreach (var series in ResultOf(range))
            {
                var points = new List<HistoryPoint>();
                foreach (var pair in series.GetProperty("values").EnumerateArray())
                {
                    var ms = (long)Math.Round(pair[0].GetDouble() * 1000);
                    if (ms >= query.FromMs && ms <= query.ToMs + step)
                    {
                        points.Add(new HistoryPoint(Math.Min(ms, query.ToMs), ParseValue(pair[1])));
                    }
                }

                result.Add(new HistorySeries(KeyOf(series.GetProperty("metric")), tag, points) { IntervalMs = step });
            }
        }

        return result;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ExportAsync(string selector, HistoryQuery query, string tag, List<HistorySeries> result, CancellationToken cancellationToken)
    {
        // /api/v1/export answers one JSON object per line (not one document): parse line by line.
        var text = await _client.GetTextAsync(
            $"/api/v1/export?start={Seconds(query.FromMs)}&end={Seconds(query.ToMs)}&match[]={Uri.EscapeDataString(selector)}", cancellationToken).ConfigureAwait(false);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var values = root.GetProperty("values");
            var times = root.GetProperty("timestamps");
            var points = new List<HistoryPoint>(times.GetArrayLength());
            for (var i = 0; i < times.GetArrayLength(); i++)
            {
                var ms = times[i].GetInt64();
                if (ms >= query.FromMs && ms <= query.ToMs)
                {
                    points.Add(new HistoryPoint(ms, values[i].ValueKind == JsonValueKind.Number ? values[i].GetDouble() : ParseValue(values[i])));
                }
            }

            points.Sort(static (a, b) => a.TimeMs.CompareTo(b.TimeMs));
            result.Add(new HistorySeries(KeyOf(root.GetProperty("metric")), tag, points));
        }
    }

    private string Selector(HistoryQuery query, string tag)
    {
        var m = query.Machine;
        var sb = new StringBuilder("{__name__=").Append(QueryEscaping.PromString(_measurement + "_" + tag));
        sb.Append(",machine=").Append(QueryEscaping.PromString(m.Machine));
        if (m.Site is not null)
        {
            sb.Append(",site=").Append(QueryEscaping.PromString(m.Site));
        }

        if (m.Area is not null)
        {
            sb.Append(",area=").Append(QueryEscaping.PromString(m.Area));
        }

        if (m.Line is not null)
        {
            sb.Append(",line=").Append(QueryEscaping.PromString(m.Line));
        }

        return sb.Append('}').ToString();
    }

    private static IEnumerable<JsonElement> ResultOf(JsonDocument doc) =>
        doc.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("result", out var result)
            ? result.EnumerateArray()
            : Enumerable.Empty<JsonElement>();

    private static string KeyOf(JsonElement metric)
    {
        static string L(JsonElement m, string name) => m.TryGetProperty(name, out var v) ? v.GetString() ?? string.Empty : string.Empty;
        return string.Join('/', L(metric, "site"), L(metric, "area"), L(metric, "line"), L(metric, "machine"));
    }

    private static double ParseValue(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? value.GetDouble()
        : double.Parse(value.GetString() ?? "NaN", NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
}
