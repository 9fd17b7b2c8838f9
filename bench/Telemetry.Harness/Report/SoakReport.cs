using System.Globalization;
using System.Text;
using Telemetry.Harness.Scenarios;

namespace Telemetry.Harness.Report;

/// <summary>The soak's outputs: soak.csv (one row per window) and soak.md (the window table and the first-vs-last drift).</summary>
public static class SoakReport
{
    public static string WriteCsv(SoakResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        var path = Path.Combine(directory, "soak.csv");
        var text = new StringBuilder();
        text.AppendLine("window,start_utc,seconds,live_samples_per_s,stored_samples_per_s,live_p50_ms,live_p99_ms,edge_rss_mib,ingest_rss_mib,edge_cpu_percent,ingest_cpu_percent,store_cpu_percent,plc_cpu_percent,edge_backlog,expected_so_far,lost_so_far,duplicated_so_far");
        foreach (var w in result.Windows)
        {
            text.AppendLine(string.Join(',',
                I(w.Index), w.StartUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), F(w.Seconds), F(w.LiveSamplesPerSecond), F(w.StoredSamplesPerSecond),
                F(w.LiveP50Ms), F(w.LiveP99Ms), F(w.EdgeRssMiB), F(w.IngestRssMiB), F(w.EdgeCpuPercent), F(w.IngestCpuPercent), F(w.StoreCpuPercent), F(w.PlcCpuPercent),
                I(w.EdgeBacklog), I(w.ExpectedSoFar), I(w.LostSoFar), I(w.DuplicatedSoFar)));
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    public static string WriteMarkdown(SoakResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Soak ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{result.Description}. Stored/s is of the ticks checked at the window's end (up to 30 s before it); CPU is percent of one core, RSS is VmRSS at the window's end.");
        md.AppendLine();
        md.AppendLine("| window | start UTC | live /s | stored /s | live p50 / p99 ms | edge / ingest RSS MiB | CPU % edge / ingest / store / PLC | backlog | lost / duplicated so far (of expected) |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var w in result.Windows)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {w.Index} | {w.StartUtc:HH:mm} | {w.LiveSamplesPerSecond:N0} | {w.StoredSamplesPerSecond:N0} | {F(w.LiveP50Ms)} / {F(w.LiveP99Ms)} | {w.EdgeRssMiB:0.0} / {w.IngestRssMiB:0.0} | {w.EdgeCpuPercent:0.0} / {w.IngestCpuPercent:0.0} / {w.StoreCpuPercent:0.0} / {w.PlcCpuPercent:0.0} | {w.EdgeBacklog:N0} | {w.LostSoFar:N0} / {w.DuplicatedSoFar:N0} (of {w.ExpectedSoFar:N0}) |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Drift, last window vs first: edge RSS {Pct(result.EdgeRssDriftPercent)}, ingest RSS {Pct(result.IngestRssDriftPercent)}, live p99 {Pct(result.LiveP99DriftPercent)}{P99s(result)}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Whole run after the drain: expected {result.Expected:N0}, lost {result.Lost:N0}, duplicated {result.Duplicated:N0}, off-grid {result.OffGrid:N0}: {(result.Passed ? "pass" : "FAIL")}.");
        var path = Path.Combine(directory, "soak.md");
        File.WriteAllText(path, md.ToString());
        return path;
    }

    private static string P99s(SoakResult r) => r.Windows.Count < 2 ? string.Empty : $" ({F(r.Windows[0].LiveP99Ms)} → {F(r.Windows[^1].LiveP99Ms)} ms)";

    private static string Pct(double value) => double.IsNaN(value) ? "n/a (fewer than two windows)" : value.ToString("+0.0'%';-0.0'%';0.0'%'", CultureInfo.InvariantCulture);

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => double.IsNaN(value) ? string.Empty : value.ToString("0.#", CultureInfo.InvariantCulture);
}
