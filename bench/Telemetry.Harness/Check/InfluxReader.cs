using System.Globalization;
using System.Text.Json;

namespace Telemetry.Harness.Check;

/// <summary>Reads raw load points back from InfluxDB 1.x with InfluxQL (`/query`, epoch=ms), one machine at a time.</summary>
public sealed class InfluxReader : IStoreReader
{
    private readonly HttpClient _http;
    private readonly string _database;
    private readonly IReadOnlyList<string> _machines;

    public InfluxReader(Uri baseAddress, string database, IReadOnlyList<string> machines)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        _database = database;
        _machines = machines;
    }

    public Task ForceFlushAsync(CancellationToken cancellationToken) => Task.CompletedTask; // a write is queryable once acknowledged

    public async IAsyncEnumerable<StoredPoint> ExportAsync(string? machine, string? tag, long fromMs, long toMs,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var m in machine is null ? _machines : [machine])
        {
            var fields = tag is null ? "/^t[0-9]+$/" : $"\"{tag}\"";
            var q = string.Create(CultureInfo.InvariantCulture, $"SELECT {fields} FROM machine WHERE machine = '{m}' AND time >= {fromMs}ms AND time <= {toMs}ms");
            using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = q, ["db"] = _database, ["epoch"] = "ms" });
            using var response = await _http.PostAsync(new Uri("query", UriKind.Relative), content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"InfluxDB query '{q}' failed ({(int)response.StatusCode}): {body}");
            }

            foreach (var point in Parse(m, body))
            {
                yield return point;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private static List<StoredPoint> Parse(string machine, string body)
    {
        var points = new List<StoredPoint>();
        using var doc = JsonDocument.Parse(body);
        var result = doc.RootElement.GetProperty("results")[0];
        if (!result.TryGetProperty("series", out var series))
        {
            return points;
        }

        foreach (var s in series.EnumerateArray())
        {
            var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? string.Empty).ToArray();
            foreach (var row in s.GetProperty("values").EnumerateArray())
            {
                var time = row[0].GetInt64();
                for (var c = 1; c < columns.Length; c++)
                {
                    if (row[c].ValueKind == JsonValueKind.Number)
                    {
                        points.Add(new StoredPoint(machine, columns[c], time, row[c].GetDouble()));
                    }
                }
            }
        }

        return points;
    }
}
