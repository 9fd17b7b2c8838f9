using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Stores;

namespace Telemetry.Ingest.Diagnostics;

/// <summary>
/// <c>GET /health</c> for a load balancer or watchdog: 200 "ok" when the store answers its ping, 503 "failing" (with
/// the store's error) when it does not, so a balancer can send edges to another instance; plus the write queue.
/// </summary>
public static class HealthReport
{
    public static async Task WriteAsync(HttpContext http, IngestServices services)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(services);
        var (reachable, error) = await services.Store.PingAsync(http.RequestAborted).ConfigureAwait(false);
        http.Response.StatusCode = reachable ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        http.Response.ContentType = "application/json";
        var json = new Utf8JsonWriter(http.Response.Body);
        await using var jsonScope = json.ConfigureAwait(false);
        json.WriteStartObject();
        json.WriteString("status", reachable ? "ok" : "failing");
        json.WriteStartObject("store");
        json.WriteString("target", services.Store.Description);
        json.WriteBoolean("reachable", reachable);
        if (error is not null)
        {
            json.WriteString("error", error);
        }

        json.WriteNumber("pendingWrites", services.Store is HttpPointStore http1 ? http1.PendingWrites : 0);
        var (_, count, sum) = services.Counters.StoreLatency.Snapshot();
        json.WriteNumber("meanWriteSeconds", count == 0 ? 0 : sum / count);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
