using System.Globalization;
using System.Text;
using Telemetry.Harness.Scenarios;

namespace Telemetry.Harness.Report;

/// <summary>The tables for bench/RESULTS.md: throughput, latency, CPU and memory per scenario, and the fault table.</summary>
public static class MarkdownReport
{
    public static string Write(IReadOnlyList<ScenarioResult> results, IReadOnlyList<string> failures, HarnessSettings settings, string directory)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(settings);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### End-to-end harness ({(settings.Short ? "short mode" : "full run")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Load: {settings.Items:N0} OPC UA items on the node-opcua PLC, each stepping every {settings.LoadMs} ms ({settings.SamplesPerSecond:N0} samples/s) → telemetry-edge → telemetry-ingest → VictoriaMetrics, every process its own. Every sample is (machine, tag, tick) with the tick's grid time as timestamp; the checker counts each expected sample in the store.");
        md.AppendLine();
        md.AppendLine("| scenario | samples/s stored | live p50 / p99 / p99.9 ms | queryable p50 / p99 / p99.9 ms | edge CPU s per M | ingest CPU s per M | store CPU s per M | PLC CPU s per M | edge / ingest peak RSS MiB | lost | duplicated |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.SamplesPerSecond:N0} | {L(r.LiveP50)} / {L(r.LiveP99)} / {L(r.LiveP999)} | {L(r.QueryableP50)} / {L(r.QueryableP99)} / {L(r.QueryableP999)} | {Cpu(r, "telemetry-edge")} | {Cpu(r, "telemetry-ingest")} | {Cpu(r, "VictoriaMetrics")} | {Cpu(r, "PLC (node-opcua)")} | {Rss(r, "telemetry-edge")} / {Rss(r, "telemetry-ingest")} | {r.Check.Lost:N0} | {r.Check.Duplicated:N0} |");
        }

        var faults = results.Where(r => r.IsFault).ToList();
        if (faults.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| fault (under load) | expected samples | lost | duplicated | not observable (source/edge down) | dropped (edge report) | time to recover | verdict | note |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---|");
            foreach (var r in faults)
            {
                var recover = r.RecoverSeconds is { } s ? $"{s:0.0} s" : "not recovered";
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Description} | {r.Check.Expected:N0} | {r.Check.Lost:N0} | {r.Check.Duplicated:N0} | {r.Check.NotObserved:N0} | {r.DroppedReported:N0} | {recover} | {(r.Passed ? "pass" : "FAIL")} | {r.Note} |");
            }
        }

        foreach (var failure in failures)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"- did not complete: {failure}");
        }

        md.AppendLine();
        md.AppendLine("Time to recover: from the repair to fresh samples on the live API with the edge's spool backlog under 2 s of load. Not observable: ticks the PLC produced while no OPC UA client was subscribed (the PLC or the edge was down) — OPC UA keeps no history for an absent client; the edge's own spool lost nothing it had accepted when those are the only gaps.");
        var path = Path.Combine(directory, "RESULTS.harness.md");
        File.WriteAllText(path, md.ToString());
        return path;
    }

    private static string L(double ms) => double.IsNaN(ms) ? "-" : ms.ToString("0", CultureInfo.InvariantCulture);

    private static string Cpu(ScenarioResult r, string role) =>
        r.Processes.FirstOrDefault(p => p.Role == role) is { } p ? p.CpuSecondsPerMillion.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Rss(ScenarioResult r, string role) =>
        r.Processes.FirstOrDefault(p => p.Role == role) is { } p ? p.PeakRssMiB.ToString("0", CultureInfo.InvariantCulture) : "-";
}
