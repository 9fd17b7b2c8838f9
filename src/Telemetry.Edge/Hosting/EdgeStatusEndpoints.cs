using Telemetry.Core.Diagnostics;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Telemetry.Core;
using Telemetry.Edge.Api;
using Telemetry.Edge.Forwarding;

namespace Telemetry.Edge.Hosting;

/// <summary>
/// `GET /api/edge` (this agent, its spool and datacenter link; what `telemetry-edge status` prints) and
/// `GET /metrics` (the same and more in Prometheus text, for the datacenter's monitoring).
/// </summary>
public static class EdgeStatusEndpoints
{
    public static IEndpointRouteBuilder MapEdgeStatus(this IEndpointRouteBuilder endpoints, EdgeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(runtime);
        endpoints.MapGet("/api/edge", async (HttpResponse response, CancellationToken cancellationToken) =>
        {
            response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(response.BodyWriter))
            {
                WriteStatus(writer, runtime);
            }

            await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        });
        endpoints.MapGet("/health", (HttpResponse response, CancellationToken cancellationToken) =>
        {
            var (status, problems) = Health(runtime);
            response.StatusCode = status == "failing" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return response.WriteAsJsonAsync(new { status, problems }, cancellationToken);
        });
        endpoints.MapGet("/metrics", (HttpResponse response, CancellationToken cancellationToken) =>
        {
            response.ContentType = PrometheusText.ContentType;
            return response.WriteAsync(WriteMetrics(runtime).ToString(), cancellationToken);
        });
        return endpoints;
    }

    /// <summary>
    /// For a watchdog: "failing" (503) when the agent cannot keep data (spool faulted); "degraded" (200) when data is
    /// kept but something needs a person (a source down, the datacenter refusing us, a backlog older than 5 minutes).
    /// </summary>
    public static (string Status, IReadOnlyList<string> Problems) Health(EdgeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var problems = new List<string>();
        var stats = runtime.Spool.GetStatistics();
        if (stats.IsFaulted)
        {
            return ("failing", ["spool: writes stopped after a disk error; see the log, free or repair the disk, restart the agent"]);
        }

        foreach (var source in runtime.Sources)
        {
            var h = source.GetHealth();
            if (h.State is not SourceLinkState.Connected and not SourceLinkState.Starting)
            {
                problems.Add($"source {h.Name}: {h.State.ToString().ToLowerInvariant()}{(h.LastError is null ? string.Empty : ": " + h.LastError)}");
            }
        }

        if (runtime.Forwarder?.Status is { } link && link.State is ForwarderLinkState.ConfigurationError or ForwarderLinkState.CertificateError)
        {
            problems.Add($"datacenter: {link.LastError}");
        }

        if (stats.OldestUnacknowledgedAge is { } age && age > TimeSpan.FromMinutes(5) && runtime.Forwarder is not null)
        {
            problems.Add($"datacenter: {stats.BacklogSamples} samples waiting, the oldest for {age.TotalMinutes:0} min");
        }

        return (problems.Count == 0 ? "ok" : "degraded", problems);
    }

    public static void WriteStatus(Utf8JsonWriter w, EdgeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(runtime);
        var config = runtime.Config;
        var stats = runtime.Spool.GetStatistics();
        w.WriteStartObject();
        w.WriteString("edgeId", config.EdgeId);
        w.WriteString("site", config.Site);
        w.WriteString("version", EdgeVersion.Current);
        w.WriteString("startedAt", runtime.StartedAt);
        w.WriteNumber("samplesWritten", runtime.Pipeline.SamplesWritten);
        w.WriteNumber("reloadsApplied", runtime.ReloadsApplied);
        w.WriteNumber("reloadsRefused", runtime.ReloadsRefused);
        w.WriteStartObject("spool");
        w.WriteNumber("backlogSamples", stats.BacklogSamples);
        w.WriteNumber("backlogBytes", stats.BacklogBytes);
        w.WriteNumber("oldestUnacknowledgedSeconds", stats.OldestUnacknowledgedAge?.TotalSeconds ?? 0);
        w.WriteNumber("diskBytes", stats.DiskBytes);
        w.WriteNumber("samplesDropped", stats.SamplesDropped);
        w.WriteNumber("recordsCutAtRecovery", stats.RecordsCutAtRecovery);
        w.WriteBoolean("faulted", stats.IsFaulted);
        SpoolDropsJson.Write(w, stats.RecentDrops);
        w.WriteEndObject();
        w.WriteStartObject("datacenter");
        if (runtime.Forwarder is not { } forwarder || config.Datacenter is null)
        {
            w.WriteString("state", "not configured");
        }
        else
        {
            var s = forwarder.Status;
            w.WriteString("state", s.State.ToString().ToLowerInvariant());
            w.WriteString("url", config.Datacenter.BaseUri.ToString());
            w.WriteNumber("deliveredSamples", s.DeliveredSamples);
            w.WriteNumber("rejectedSamples", s.RejectedSamples);
            w.WriteNumber("failedAttempts", s.FailedAttempts);
            w.WriteString("backlogLane", s.BacklogLane.ToString().ToLowerInvariant());
            w.WriteNumber("backlogSamplesRemaining", s.BacklogSamplesRemaining);
            w.WriteNumber("backlogDrainSamplesPerSecond", s.BacklogDrainRate);
            w.WriteNumber("liveLatencySeconds", s.LastLiveLatency?.TotalSeconds ?? 0);
            if (s.LastError is { } error)
            {
                w.WriteString("lastError", error);
            }
        }

        w.WriteEndObject();
        w.WriteStartArray("sources");
        foreach (var source in runtime.Sources)
        {
            var h = source.GetHealth();
            w.WriteStartObject();
            w.WriteString("name", h.Name);
            w.WriteString("kind", h.Kind);
            w.WriteString("state", h.State.ToString().ToLowerInvariant());
            w.WriteNumber("samples", h.SamplesReceived);
            w.WriteNumber("sourceOverflows", h.SourceOverflows);
            w.WriteNumber("lastSample", h.LastSampleUnixNs / 1_000_000);
            if (h.LastError is { } error)
            {
                w.WriteString("lastError", error);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static PrometheusText WriteMetrics(EdgeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var config = runtime.Config;
        var stats = runtime.Spool.GetStatistics();
        var m = new PrometheusText();
        m.Gauge("telemetry_edge_info", "This agent: version, edge id and site.", 1, "version", EdgeVersion.Current, "edge_id", config.EdgeId, "site", config.Site);
        m.Counter("telemetry_edge_samples_written_total", "Samples the sources wrote into the spool.", runtime.Pipeline.SamplesWritten);
        m.Gauge("telemetry_edge_spool_backlog_samples", "Samples in the spool not yet acknowledged by the datacenter.", stats.BacklogSamples);
        m.Gauge("telemetry_edge_spool_backlog_bytes", "Bytes of the unacknowledged backlog.", stats.BacklogBytes);
        m.Gauge("telemetry_edge_spool_oldest_unacknowledged_seconds", "Age of the oldest sample not yet delivered.", stats.OldestUnacknowledgedAge?.TotalSeconds ?? 0);
        m.Gauge("telemetry_edge_spool_disk_bytes", "Disk the spool uses.", stats.DiskBytes);
        m.Counter("telemetry_edge_spool_dropped_samples_total", "Samples dropped because the spool's disk budget was full.", stats.SamplesDropped);
        m.Gauge("telemetry_edge_spool_faulted", "1 when the spool stopped accepting writes (disk error).", stats.IsFaulted ? 1 : 0);
        if (runtime.Forwarder is { } forwarder)
        {
            var s = forwarder.Status;
            m.Gauge("telemetry_edge_datacenter_up", "1 when the last delivery to the datacenter succeeded.", s.State == ForwarderLinkState.Connected ? 1 : 0);
            m.Counter("telemetry_edge_datacenter_delivered_samples_total", "Samples the datacenter acknowledged.", s.DeliveredSamples);
            m.Counter("telemetry_edge_datacenter_rejected_samples_total", "Samples the datacenter refused (quarantined).", s.RejectedSamples);
            m.Counter("telemetry_edge_datacenter_failed_attempts_total", "Delivery attempts that failed and were retried.", s.FailedAttempts);
            m.Gauge("telemetry_edge_datacenter_backlog_lane_draining", "1 while fresh samples go first and the backlog drains behind them.", s.BacklogLane is BacklogLaneState.Draining or BacklogLaneState.Merging ? 1 : 0);
            m.Gauge("telemetry_edge_datacenter_backlog_remaining_samples", "Estimated samples the backlog lane has still to send.", s.BacklogSamplesRemaining);
            m.Gauge("telemetry_edge_datacenter_backlog_drain_samples_per_second", "Backlog samples delivered per second (last 5 s).", s.BacklogDrainRate);
            m.Counter("telemetry_edge_datacenter_backlog_delivered_samples_total", "Samples the backlog lane delivered.", s.BacklogDeliveredSamples);
            m.Gauge("telemetry_edge_datacenter_live_latency_seconds", "Receive time of the oldest sample of the last live batch to its 2xx.", s.LastLiveLatency?.TotalSeconds ?? 0);
        }

        var nowNs = UnixTime.Now(TimeProvider.System);
        foreach (var source in runtime.Sources)
        {
            var h = source.GetHealth();
            m.Gauge("telemetry_edge_source_up", "1 when the source is connected to its device or broker.", h.State == SourceLinkState.Connected ? 1 : 0, "source", h.Name, "kind", h.Kind);
            m.Counter("telemetry_edge_source_samples_total", "Samples a source produced.", h.SamplesReceived, "source", h.Name, "kind", h.Kind);
            m.Counter("telemetry_edge_source_overflows_total", "Values the device flagged as following values it discarded (OPC UA Overflow): data lost at the device.", h.SourceOverflows, "source", h.Name, "kind", h.Kind);
            m.Gauge("telemetry_edge_source_last_sample_age_seconds", "Seconds since the source's last sample.", h.LastSampleUnixNs == 0 ? double.PositiveInfinity : (nowNs - h.LastSampleUnixNs) / 1e9, "source", h.Name, "kind", h.Kind);
        }

        var machines = runtime.Pipeline.View.Snapshot();
        var staleTags = 0;
        foreach (var machine in machines)
        {
            foreach (var tag in machine.Tags)
            {
                if (nowNs - tag.ReceiveTimeNs > 10_000_000_000L)
                {
                    staleTags++;
                }
            }
        }

        m.Gauge("telemetry_edge_machines", "Machines the agent has seen.", machines.Count);
        m.Gauge("telemetry_edge_stale_tags", "Tags without an update for more than 10 s.", staleTags);
        m.Counter("telemetry_edge_config_reloads_total", "Configuration reloads.", runtime.ReloadsApplied, "result", "applied");
        m.Counter("telemetry_edge_config_reloads_total", "Configuration reloads.", runtime.ReloadsRefused, "result", "refused");
        using var process = Process.GetCurrentProcess();
        m.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", process.WorkingSet64);
        m.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", process.TotalProcessorTime.TotalSeconds);
        m.Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", runtime.StartedAt.ToUnixTimeMilliseconds() / 1000.0);
        // The managed heap beside the RSS, to tell a leak (heap after GC grows) from the GC settling (committed grows).
        var gc = GC.GetGCMemoryInfo();
        m.Gauge("dotnet_gc_heap_size_bytes", "Managed heap size after the last GC.", gc.HeapSizeBytes);
        m.Gauge("dotnet_gc_committed_bytes", "Memory the GC has committed.", gc.TotalCommittedBytes);
        m.Gauge("dotnet_gc_fragmented_bytes", "Free space inside the managed heap after the last GC.", gc.FragmentedBytes);
        m.Gauge("dotnet_total_memory_bytes", "Bytes currently thought to be allocated on the managed heap.", GC.GetTotalMemory(false));
        m.Counter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap.", GC.GetTotalAllocatedBytes());
        m.Counter("dotnet_gc_collections_total", "Garbage collections.", GC.CollectionCount(0), "generation", "0");
        m.Counter("dotnet_gc_collections_total", "Garbage collections.", GC.CollectionCount(1), "generation", "1");
        m.Counter("dotnet_gc_collections_total", "Garbage collections.", GC.CollectionCount(2), "generation", "2");
        return m;
    }
}
