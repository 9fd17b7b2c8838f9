using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Telemetry.Dashboard;
using Telemetry.Ingest.Auth;
using Telemetry.Ingest.Diagnostics;
using Telemetry.Ingest.History;
using Telemetry.Ingest.Live;
using Telemetry.Ingest.Writing;

namespace Telemetry.Ingest.Hosting;

/// <summary>The service's HTTP surface.</summary>
public static class IngestEndpoints
{
    public static void Map(IEndpointRouteBuilder app, IngestServices services)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(services);
        var writes = services.Writes;
        app.MapPost("/api/v2/write", (HttpContext http) => writes.HandleAsync(http, WriteDialect.V2));
        app.MapPost("/write", (HttpContext http) => writes.HandleAsync(http, WriteDialect.V1));

        // InfluxDB 1.x clients (and Telegraf) ping before writing.
        app.MapMethods("/ping", ["GET", "HEAD"], (HttpResponse response) =>
        {
            response.Headers["X-Influxdb-Version"] = "1.8-telemetry-ingest";
            response.StatusCode = StatusCodes.Status204NoContent;
        });

        app.MapGet("/health", (HttpContext http) => HealthReport.WriteAsync(http, services));
        app.MapGet("/metrics", (HttpContext http) => MetricsReport.WriteAsync(http, services));
        app.MapGet("/api/edges", async (HttpContext http) =>
        {
            var caller = services.ReadCaller(http);
            if (caller is null)
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            http.Response.ContentType = "application/json";
            var json = new Utf8JsonWriter(http.Response.Body);
            await using var jsonScope = json.ConfigureAwait(false);
            json.WriteStartObject();
            json.WriteStartArray("edges");
            foreach (var edge in services.Ledger.Accounts(caller.Site))
            {
                json.WriteStartObject();
                json.WriteString("site", edge.Site);
                json.WriteString("edge", edge.Edge);
                json.WriteNumber("requests", edge.Requests);
                json.WriteNumber("highestSequence", edge.HighestSequence);
                json.WriteNumber("recordsMissing", edge.RecordsMissing);
                json.WriteNumber("recordsLost", edge.RecordsLost);
                json.WriteNumber("lastSeen", edge.LastSeen.ToUnixTimeMilliseconds());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("gaps");
            foreach (var gap in services.Ledger.Gaps(caller.Site))
            {
                json.WriteStartObject();
                json.WriteString("site", gap.Site);
                json.WriteString("edge", gap.Edge);
                json.WriteNumber("firstMissing", gap.FirstMissing);
                json.WriteNumber("lastMissing", gap.LastMissing);
                json.WriteNumber("noticedAt", gap.NoticedAt.ToUnixTimeMilliseconds());
                json.WriteBoolean("lost", gap.Lost);
                json.WriteString("message", gap.Describe());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
        app.MapLiveAndHealthApi(services.Live, services.Health, services.ReadCaller, services.TimeProvider);
        app.MapHistoryApi(services.History, services.ReadCaller);
        app.MapSignInApi(services.SignIn);
        app.MapDashboard();
    }
}
