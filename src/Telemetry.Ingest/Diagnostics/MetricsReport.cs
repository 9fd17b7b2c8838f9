using System.Globalization;
using Microsoft.AspNetCore.Http;
using Telemetry.Core.Diagnostics;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Stores;

namespace Telemetry.Ingest.Diagnostics;

/// <summary><c>GET /metrics</c>: the ingest's counters in Prometheus text, per site, plus latencies and loss accounting.</summary>
public static class MetricsReport
{
    public static async Task WriteAsync(HttpContext http, IngestServices services)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(services);
        var text = new PrometheusText();
        foreach (var (site, c) in services.Counters.Sites)
        {
            text.Counter("telemetry_ingest_requests_total", "Write requests", Volatile.Read(ref c.Requests), "site", site);
            text.Counter("telemetry_ingest_points_total", "Points stored", Volatile.Read(ref c.Points), "site", site);
            text.Counter("telemetry_ingest_bytes_total", "Line protocol bytes stored (inflated)", Volatile.Read(ref c.Bytes), "site", site);
            text.Counter("telemetry_ingest_parse_errors_total", "Requests refused as malformed (400)", Volatile.Read(ref c.Malformed), "site", site);
            text.Counter("telemetry_ingest_forbidden_total", "Requests refused for points of another site (403)", Volatile.Read(ref c.Forbidden), "site", site);
            text.Counter("telemetry_ingest_too_large_total", "Requests over the size limits (413)", Volatile.Read(ref c.TooLarge), "site", site);
            text.Counter("telemetry_ingest_store_rejected_total", "Writes the store refused as invalid", Volatile.Read(ref c.StoreRejected), "site", site);
            text.Counter("telemetry_ingest_store_errors_total", "Writes answered 503 because the store was down", Volatile.Read(ref c.StoreUnavailable), "site", site);
            text.Counter("telemetry_ingest_saturated_total", "Writes answered 429 because the store queue was full", Volatile.Read(ref c.Saturated), "site", site);
        }

        text.Counter("telemetry_ingest_unauthorized_total", "Requests without a valid token (401)", Volatile.Read(ref services.Counters.Unauthorized));
        Histogram(text, "telemetry_ingest_request_duration_seconds", "Write request time, body read to answer", services.Counters.WriteLatency);
        Histogram(text, "telemetry_ingest_store_write_duration_seconds", "Store write time, retries included", services.Counters.StoreLatency);
        text.Gauge("telemetry_ingest_store_pending_writes", "Store writes running or queued", services.Store is HttpPointStore s ? s.PendingWrites : 0);
        foreach (var edge in services.Ledger.Accounts())
        {
            text.Gauge("telemetry_ingest_edge_records_missing", "Spool records not (yet) received below the highest received", edge.RecordsMissing, "site", edge.Site, "edge", edge.Edge);
            text.Gauge("telemetry_ingest_edge_records_lost", "Spool records missing for longer than the grace period", edge.RecordsLost, "site", edge.Site, "edge", edge.Edge);
            text.Gauge("telemetry_ingest_edge_last_seen_seconds", "Unix time of the edge's last stored request", edge.LastSeen.ToUnixTimeMilliseconds() / 1000.0, "site", edge.Site, "edge", edge.Edge);
        }

        http.Response.ContentType = PrometheusText.ContentType;
        await http.Response.WriteAsync(text.ToString(), http.RequestAborted).ConfigureAwait(false);
    }

    private static void Histogram(PrometheusText text, string name, string help, LatencyHistogram histogram)
    {
        var (cumulative, count, sum) = histogram.Snapshot();
        var bounds = LatencyHistogram.UpperBounds;
        for (var i = 0; i < cumulative.Length; i++)
        {
            var le = i < bounds.Count ? bounds[i].ToString(CultureInfo.InvariantCulture) : "+Inf";
            text.Metric(name, name + "_bucket", "histogram", help, cumulative[i], "le", le);
        }

        text.Metric(name, name + "_sum", "histogram", help, sum);
        text.Metric(name, name + "_count", "histogram", help, count);
    }
}
