using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Telemetry.Core;
using Telemetry.Dashboard.Availability;

namespace Telemetry.Edge.Api;

/// <summary>
/// The rest of what the dashboard page calls, answered by the edge for its own machines so the page sees no 404:
/// `GET /api/availability?machine=KEY` (today's availability, MTBF, MTTR from the state changes the live view saw),
/// `GET /api/alerts` (the edge runs no alert rules: an empty list that says so), `POST /api/alerts/{id}/ack` (404,
/// there is nothing to acknowledge here) and `GET /api/history` (history is kept by the datacenter: an answer with
/// `available: false` the page shows as such).
/// </summary>
public static class EdgeDashboardApi
{
    public const string HistoryOnDatacenter =
        "History is kept by the datacenter: this edge agent shows the last 10 minutes live. Open the datacenter's dashboard for longer ranges.";

    public const string AlertsOnDatacenter = "Alert rules run in the datacenter; this edge agent raises none.";

    public static IEndpointRouteBuilder MapEdgeDashboardApi(this IEndpointRouteBuilder endpoints, EdgeApiContext context)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(context);

        endpoints.MapGet("/api/availability", (HttpContext http) => AvailabilityAsync(http, context));
        endpoints.MapGet("/api/alerts", (HttpContext http) => WriteJsonAsync(http, StatusCodes.Status200OK, w =>
        {
            w.WriteNumber("now", DashboardJsonNow(context));
            w.WriteStartArray("alerts");
            w.WriteEndArray();
            w.WriteString("note", AlertsOnDatacenter);
        }));
        endpoints.MapPost("/api/alerts/{id}/ack", (HttpContext http) => WriteJsonAsync(http, StatusCodes.Status404NotFound, w =>
        {
            w.WriteString("code", "not found");
            w.WriteString("message", AlertsOnDatacenter + " Acknowledge alerts on the datacenter's dashboard.");
        }));
        endpoints.MapGet("/api/history", (HttpContext http) => WriteJsonAsync(http, StatusCodes.Status200OK, w =>
        {
            w.WriteBoolean("available", false);
            w.WriteString("message", HistoryOnDatacenter);
            w.WriteStartArray("series");
            w.WriteEndArray();
        }));
        return endpoints;
    }

    private static async Task AvailabilityAsync(HttpContext http, EdgeApiContext context)
    {
        var machine = http.Request.Query["machine"].ToString();
        if (string.IsNullOrWhiteSpace(machine))
        {
            await WriteJsonAsync(http, StatusCodes.Status400BadRequest, w =>
            {
                w.WriteString("code", "invalid");
                w.WriteString("message", "query 'machine' is missing: use /api/availability?machine=site/area/line/machine (a key of /api/machines).");
            }).ConfigureAwait(false);
            return;
        }

        var now = context.TimeProvider.GetUtcNow();
        var nowNs = UnixTime.FromDateTimeOffset(now);
        var startNs = Math.Min(AvailabilityCalculator.StartOfDayNs(now, context.TimeProvider.LocalTimeZone), nowNs);
        var changes = context.Pipeline.View.States.Changes(machine);
        var figures = AvailabilityCalculator.Compute(changes, startNs, nowNs);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            AvailabilityJson.Write(writer, machine, figures, changes);
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static long DashboardJsonNow(EdgeApiContext context) => UnixTime.Now(context.TimeProvider) / 1_000_000;

    private static async Task WriteJsonAsync(HttpContext http, int status, Action<Utf8JsonWriter> body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
