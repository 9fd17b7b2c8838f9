using System.Globalization;
using System.Text.Json;

namespace Telemetry.NodeRedAnchor;

/// <summary>
/// The few InfluxQL statements the anchor needs against InfluxDB 1.x (POST /query): create the database, count
/// the distinct items written since a time, count the points in a window. Names are validated by
/// <see cref="NodeRedRunOptions.Validate"/> (letters, digits, '_' and '-'), so quoting them is enough.
/// </summary>
internal sealed class InfluxQueries : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _database;
    private readonly string _measurement;

    public InfluxQueries(Uri baseAddress, string database, string measurement)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _database = database;
        _measurement = measurement;
    }

    public async Task CreateDatabaseAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"CREATE DATABASE \"{_database}\"", withDatabase: false, cancellationToken).ConfigureAwait(false);

    /// <summary>How many items (series of the measurement) have a point at or after <paramref name="since"/>.</summary>
    public async Task<int> CountItemsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        using var json = await QueryAsync(
            $"SELECT COUNT(\"value\") FROM \"{_measurement}\" WHERE time >= {Nanoseconds(since)} GROUP BY \"item\"",
            withDatabase: true,
            cancellationToken).ConfigureAwait(false);
        return Series(json.RootElement) is { } series ? series.GetArrayLength() : 0;
    }

    /// <summary>Points of the measurement with a timestamp in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public async Task<long> CountPointsAsync(DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        using var json = await QueryAsync(
            $"SELECT COUNT(\"value\") FROM \"{_measurement}\" WHERE time >= {Nanoseconds(start)} AND time < {Nanoseconds(end)}",
            withDatabase: true,
            cancellationToken).ConfigureAwait(false);
        if (Series(json.RootElement) is not { } series || series.GetArrayLength() == 0)
        {
            return 0;
        }

        // {"results":[{"series":[{"columns":["time","count"],"values":[[0,1234]]}]}]}
        return series[0].GetProperty("values")[0][1].GetInt64();
    }

    /// <summary>Every point of the measurement, whatever its timestamp (to see what arrived between two moments).</summary>
    public async Task<long> CountAllPointsAsync(CancellationToken cancellationToken)
    {
        using var json = await QueryAsync($"SELECT COUNT(\"value\") FROM \"{_measurement}\"", withDatabase: true, cancellationToken).ConfigureAwait(false);
        return Series(json.RootElement) is { } series && series.GetArrayLength() > 0 ? series[0].GetProperty("values")[0][1].GetInt64() : 0;
    }

    /// <summary>The newest timestamp stored in the measurement, or null when it is empty.</summary>
    public async Task<DateTimeOffset?> NewestTimestampAsync(CancellationToken cancellationToken)
    {
        using var json = await QueryAsync($"SELECT LAST(\"value\") FROM \"{_measurement}\"", withDatabase: true, cancellationToken).ConfigureAwait(false);
        if (Series(json.RootElement) is not { } series || series.GetArrayLength() == 0)
        {
            return null;
        }

        // epoch=ns: [[1733090000123000000, 42]]
        var nanoseconds = series[0].GetProperty("values")[0][0].GetInt64();
        return DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);
    }

    public void Dispose() => _http.Dispose();

    private static string Nanoseconds(DateTimeOffset time) =>
        ((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100).ToString(CultureInfo.InvariantCulture);

    private static JsonElement? Series(JsonElement root)
    {
        var result = root.GetProperty("results")[0];
        if (result.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"InfluxDB query failed: {error.GetString()}");
        }

        return result.TryGetProperty("series", out var series) ? series : null;
    }

    private async Task<JsonDocument> QueryAsync(string influxQl, bool withDatabase, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["q"] = influxQl, ["epoch"] = "ns" };
        if (withDatabase)
        {
            form["db"] = _database;
        }

        using var content = new FormUrlEncodedContent(form);
        using var response = await _http.PostAsync(new Uri("query", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"InfluxDB at {_http.BaseAddress} answered {(int)response.StatusCode} to '{influxQl}': {body}");
        }

        return JsonDocument.Parse(body);
    }
}
