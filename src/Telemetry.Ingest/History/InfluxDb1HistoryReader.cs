using System.Globalization;
using System.Text;
using System.Text.Json;
using Telemetry.Ingest.Configuration;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.History;

/// <summary>
/// History from InfluxDB 1.x: <c>GET /query?db=&amp;epoch=ms&amp;q=</c> (InfluxQL). Per tag: the field's type
/// (<c>SHOW FIELD KEYS</c>), a <c>count()</c> over the range per machine, then the raw points when every machine has
/// at most the wanted number, else <c>GROUP BY time(interval)</c> with <c>mean</c> (numbers) or <c>last</c>
/// (strings, booleans) and <c>fill(none)</c>. Every name and value is quoted by <see cref="QueryEscaping"/>.
/// </summary>
public sealed class InfluxDb1HistoryReader : IHistoryReader
{
    private const string GroupByTags = "GROUP BY \"area\",\"line\",\"machine\",\"site\"";

    private readonly StoreQueryClient _client;
    private readonly string _database;
    private readonly string? _retentionPolicy;
    private readonly string _measurement;

    public InfluxDb1HistoryReader(StoreOptions options, string measurement = SampleLineEncoder.DefaultMeasurement)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = new StoreQueryClient(options);
        _database = options.Database ?? throw new ArgumentException("InfluxDB 1.x needs a database.", nameof(options));
        _retentionPolicy = options.RetentionPolicy;
        _measurement = measurement;
    }

    public async ValueTask<IReadOnlyList<HistorySeries>> ReadAsync(HistoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var from = From();
        var types = await FieldTypesAsync(from, cancellationToken).ConfigureAwait(false);
        var where = Where(query);
        var result = new List<HistorySeries>();
        foreach (var tag in query.Tags)
        {
            if (!types.TryGetValue(tag, out var type))
            {
                continue; // never stored: no series
            }

            var field = QueryEscaping.InfluxIdentifier(tag);
            var counts = await QueryAsync($"SELECT count({field}) FROM {from} WHERE {where} {GroupByTags}", cancellationToken).ConfigureAwait(false);
            long most = 0;
            foreach (var series in counts)
            {
                foreach (var point in series.Points)
                {
                    most = Math.Max(most, point.Value is long n ? n : Convert.ToInt64(point.Value, CultureInfo.InvariantCulture));
                }
            }

            if (most == 0)
            {
                continue;
            }

            if (most <= query.Points)
            {
                foreach (var series in await QueryAsync($"SELECT {field} FROM {from} WHERE {where} {GroupByTags}", cancellationToken).ConfigureAwait(false))
                {
                    result.Add(series with { Tag = tag });
                }

                continue;
            }

            var interval = Math.Max(1, (query.ToMs - query.FromMs + 1 + query.Points - 1) / query.Points);
            var aggregate = type is "float" or "integer" ? "mean" : "last";
            var text = $"SELECT {aggregate}({field}) FROM {from} WHERE {where} {GroupByTags},time({interval}ms) fill(none)";
            foreach (var series in await QueryAsync(text, cancellationToken).ConfigureAwait(false))
            {
                result.Add(series with { Tag = tag, IntervalMs = interval });
            }
        }

        return result;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private string From() => _retentionPolicy is null
        ? QueryEscaping.InfluxIdentifier(_measurement)
        : QueryEscaping.InfluxIdentifier(_retentionPolicy) + "." + QueryEscaping.InfluxIdentifier(_measurement);

    private static string Where(HistoryQuery query)
    {
        var m = query.Machine;
        var sb = new StringBuilder();
        sb.Append("\"machine\" = ").Append(QueryEscaping.InfluxString(m.Machine));
        if (m.Site is not null)
        {
            sb.Append(" AND \"site\" = ").Append(QueryEscaping.InfluxString(m.Site));
        }

        if (m.Area is not null)
        {
            sb.Append(" AND \"area\" = ").Append(QueryEscaping.InfluxString(m.Area));
        }

        if (m.Line is not null)
        {
            sb.Append(" AND \"line\" = ").Append(QueryEscaping.InfluxString(m.Line));
        }

        sb.Append(CultureInfo.InvariantCulture, $" AND time >= {query.FromMs}ms AND time <= {query.ToMs}ms");
        return sb.ToString();
    }

    private async Task<Dictionary<string, string>> FieldTypesAsync(string from, CancellationToken cancellationToken)
    {
        using var doc = await SendAsync($"SHOW FIELD KEYS FROM {from}", cancellationToken).ConfigureAwait(false);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var series in SeriesOf(doc))
        {
            if (series.TryGetProperty("values", out var values))
            {
                foreach (var row in values.EnumerateArray())
                {
                    types[row[0].GetString() ?? string.Empty] = row[1].GetString() ?? string.Empty;
                }
            }
        }

        return types;
    }

    /// <summary>Runs one statement; each answer series becomes a history series (tag name filled by the caller).</summary>
    private async Task<List<HistorySeries>> QueryAsync(string statement, CancellationToken cancellationToken)
    {
        using var doc = await SendAsync(statement, cancellationToken).ConfigureAwait(false);
        var list = new List<HistorySeries>();
        foreach (var series in SeriesOf(doc))
        {
            var tags = series.TryGetProperty("tags", out var t) ? t : default;
            var key = string.Join('/', Tag(tags, "site"), Tag(tags, "area"), Tag(tags, "line"), Tag(tags, "machine"));
            var points = new List<HistoryPoint>();
            if (series.TryGetProperty("values", out var values))
            {
                foreach (var row in values.EnumerateArray())
                {
                    var value = ValueOf(row[1]);
                    if (value is not null)
                    {
                        points.Add(new HistoryPoint(row[0].GetInt64(), value));
                    }
                }
            }

            list.Add(new HistorySeries(key, string.Empty, points));
        }

        return list;
    }

    private async Task<JsonDocument> SendAsync(string statement, CancellationToken cancellationToken)
    {
        var doc = await _client.GetJsonAsync(
            $"/query?db={Uri.EscapeDataString(_database)}&epoch=ms&q={Uri.EscapeDataString(statement)}", cancellationToken).ConfigureAwait(false);
        foreach (var result in doc.RootElement.TryGetProperty("results", out var results) ? results.EnumerateArray() : default)
        {
            if (result.TryGetProperty("error", out var error))
            {
                doc.Dispose();
                throw new HistoryException(502, $"InfluxDB {_client.BaseUrl} refused the history query: {error.GetString()}");
            }
        }

        if (doc.RootElement.TryGetProperty("error", out var top))
        {
            doc.Dispose();
            throw new HistoryException(502, $"InfluxDB {_client.BaseUrl} refused the history query: {top.GetString()}");
        }

        return doc;
    }

    private static IEnumerable<JsonElement> SeriesOf(JsonDocument doc)
    {
        if (!doc.RootElement.TryGetProperty("results", out var results))
        {
            yield break;
        }

        foreach (var result in results.EnumerateArray())
        {
            if (result.TryGetProperty("series", out var series))
            {
                foreach (var s in series.EnumerateArray())
                {
                    yield return s;
                }
            }
        }
    }

    private static string Tag(JsonElement tags, string name) =>
        tags.ValueKind == JsonValueKind.Object && tags.TryGetProperty(name, out var v) ? v.GetString() ?? string.Empty : string.Empty;

    private static object? ValueOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetInt64(out var n) && !value.GetRawText().Contains('.', StringComparison.Ordinal) && !value.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) ? n : value.GetDouble(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
