using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Telemetry.Core;
using Telemetry.Edge.Live;
using Telemetry.Edge.Pipeline;

namespace Telemetry.Edge.Api;

/// <summary>What the live API reads: the pipeline's view and feed, and the running sources.</summary>
/// <param name="Sources">The sources running now (a reload may change them).</param>
public sealed record EdgeApiContext(EdgePipeline Pipeline, Func<IReadOnlyList<ISampleSource>> Sources, TimeProvider TimeProvider)
{
    /// <summary>A machine with no sample for this long is shown as stale ("last seen …").</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The edge's local live API: `GET /api/machines` (snapshot), `GET /api/live` (server-sent events of every
/// sample), `GET /api/sources`, and what else the page calls (EdgeDashboardApi; `GET /health` is in EdgeStatusEndpoints). Served on the factory network; works with the datacenter down.
/// </summary>
public static class EdgeApi
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEdgeApi(this IEndpointRouteBuilder endpoints, EdgeApiContext context)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(context);

        endpoints.MapGet("/api/machines", async (HttpResponse response, CancellationToken cancellationToken) =>
        {
            response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(response.BodyWriter))
            {
                LiveJson.WriteMachines(writer, context.Pipeline.View.Snapshot(), UnixTime.Now(context.TimeProvider), context.StaleAfter);
            }

            await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        });

        endpoints.MapGet("/api/sources", async (HttpResponse response, CancellationToken cancellationToken) =>
        {
            response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(response.BodyWriter))
            {
                LiveJson.WriteSources(writer, context.Sources().Select(s => s.GetHealth()));
            }

            await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        });

        endpoints.MapGet("/api/live", (HttpContext http, CancellationToken cancellationToken) =>
            StreamLiveAsync(http.Response, context, cancellationToken));

        endpoints.MapEdgeDashboardApi(context);
        return endpoints;
    }

    /// <summary>
    /// Server-sent events: `event: samples` with a JSON array of samples, `event: dropped` when this subscriber
    /// fell behind, and a comment line as heartbeat.
    /// </summary>
    private static async Task StreamLiveAsync(HttpResponse response, EdgeApiContext context, CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = context.Pipeline.Feed.Subscribe();
        var reader = subscription.Reader;
        var body = response.BodyWriter;
        await response.WriteAsync(": connected\n\n", cancellationToken).ConfigureAwait(false);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(Heartbeat);
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await response.WriteAsync(": heartbeat\n\n", cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                var dropped = subscription.TakeDroppedCount();
                if (dropped > 0)
                {
                    await response.WriteAsync($"event: dropped\ndata: {dropped}\n\n", cancellationToken).ConfigureAwait(false);
                }

                body.Write("event: samples\ndata: "u8);
                using (var writer = new Utf8JsonWriter(body))
                {
                    writer.WriteStartArray();
                    var count = 0;
                    while (count < 2000 && reader.TryRead(out var sample))
                    {
                        LiveJson.WriteSample(writer, sample);
                        count++;
                    }

                    writer.WriteEndArray();
                }

                body.Write("\n\n"u8);
                await body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the page went away
        }
    }
}
