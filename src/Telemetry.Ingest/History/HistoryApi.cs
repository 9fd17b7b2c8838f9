using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Telemetry.Ingest.Sites;

namespace Telemetry.Ingest.History;

/// <summary>
/// <c>GET /api/history?machine=&amp;tag=&amp;from=&amp;to=[&amp;points=]</c> for the dashboard's charts:
/// <c>{"series":[{"machine":key,"tag":t,"points":[[ms,value],…]}]}</c> (a downsampled series also carries
/// <c>"interval"</c> in ms). 401 without a caller, 403 for another site, 400 naming the bad parameter, 501 when the
/// store cannot be read (null store, InfluxDB 2), 502/503/504 when the store refuses, is down or too slow.
/// </summary>
public static class HistoryApi
{
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder endpoints, IHistoryReader? reader, Func<HttpContext, IngestCaller?> caller)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(caller);
        endpoints.MapGet("/api/history", http => HistoryAsync(http, reader, caller));
        return endpoints;
    }

    private static async Task HistoryAsync(HttpContext http, IHistoryReader? reader, Func<HttpContext, IngestCaller?> caller)
    {
        var who = caller(http);
        if (who is null)
        {
            await ErrorAsync(http, StatusCodes.Status401Unauthorized, "unauthorized", "sign in or send a token (Authorization: Token …) to read history.").ConfigureAwait(false);
            return;
        }

        HistoryQuery query;
        try
        {
            query = HistoryRequest.Parse(http.Request.Query, who);
        }
        catch (HistoryRequestException ex)
        {
            await ErrorAsync(http, ex.StatusCode, ex.Code, ex.Message).ConfigureAwait(false);
            return;
        }

        if (reader is null)
        {
            await ErrorAsync(http, StatusCodes.Status501NotImplemented, "not implemented",
                "this ingest has no store to read history from (store.kind is null): configure InfluxDB 1.x or VictoriaMetrics.").ConfigureAwait(false);
            return;
        }

        IReadOnlyList<HistorySeries> series;
        try
        {
            series = await reader.ReadAsync(query, http.RequestAborted).ConfigureAwait(false);
        }
        catch (HistoryException ex)
        {
            if (ex.IsTransient)
            {
                http.Response.Headers.RetryAfter = "5";
            }

            await ErrorAsync(http, ex.StatusCode, ex.StatusCode == 501 ? "not implemented" : "store", ex.Message).ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var json = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            Write(json, series);
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes the answer; a NaN or infinite mean is written as null (JSON has no NaN).</summary>
    public static void Write(Utf8JsonWriter json, IReadOnlyList<HistorySeries> series)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(series);
        json.WriteStartObject();
        json.WriteStartArray("series");
        foreach (var s in series)
        {
            json.WriteStartObject();
            json.WriteString("machine", s.MachineKey);
            json.WriteString("tag", s.Tag);
            if (s.IntervalMs is { } interval)
            {
                json.WriteNumber("interval", interval);
            }

            json.WriteStartArray("points");
            foreach (var p in s.Points)
            {
                json.WriteStartArray();
                json.WriteNumberValue(p.TimeMs);
                switch (p.Value)
                {
                    case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
                    case long n: json.WriteNumberValue(n); break;
                    case bool b: json.WriteBooleanValue(b); break;
                    case string text: json.WriteStringValue(text); break;
                    default: json.WriteNullValue(); break;
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static async Task ErrorAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
