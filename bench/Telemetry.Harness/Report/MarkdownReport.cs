using System.Globalization;
using System.Text;
using Telemetry.Harness.Rig;
using Telemetry.Harness.Scenarios;

namespace Telemetry.Harness.Report;

/// <summary>The tables for bench/RESULTS.md: throughput, latency, CPU and memory per scenario, and the fault table.</summary>
public static class MarkdownReport
{
    public static string Write(IReadOnlyList<ScenarioResult> results, IReadOnlyList<AnchorResult> anchors, IReadOnlyList<string> failures, HarnessSettings settings, string directory)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(settings);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### End-to-end harness ({(settings.Short ? "short mode" : "full run")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Load: {settings.Items:N0} OPC UA items on the node-opcua PLC, each stepping every {settings.LoadMs} ms ({settings.SamplesPerSecond:N0} samples/s) → telemetry-edge → telemetry-ingest → VictoriaMetrics (InfluxDB 1.x in the *-influxdb rows), every process its own. The mqtt-steady and mosquitto-restart rows: the same sample rate from MQTT devices instead (half plain JSON, half Sparkplug B, QoS 1, 20 tags per message) through Mosquitto; their devices keep and re-send what the broker did not acknowledge, so nothing there is \"not observable\". Every sample is (machine, tag, tick) with the tick's grid time as timestamp; the checker counts each expected sample in the store.");
        md.AppendLine();
        md.AppendLine("| scenario | samples/s stored | live p50 / p99 / p99.9 ms | queryable p50 / p99 / p99.9 ms | edge CPU s per M | ingest CPU s per M | store CPU s per M | PLC / broker CPU s per M | edge / ingest peak RSS MiB | lost | duplicated |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.SamplesPerSecond:N0} | {L(r.LiveP50)} / {L(r.LiveP99)} / {L(r.LiveP999)} | {L(r.QueryableP50)} / {L(r.QueryableP99)} / {L(r.QueryableP999)} | {Cpu(r, "telemetry-edge")} | {Cpu(r, "telemetry-ingest")} | {Cpu(r, HarnessRig.StoreRole)} | {(r.Processes.Any(p => p.Role == HarnessRig.BrokerRole) ? Cpu(r, HarnessRig.BrokerRole) : Cpu(r, "PLC (node-opcua)"))} | {Rss(r, "telemetry-edge")} / {Rss(r, "telemetry-ingest")} | {r.Check.Lost:N0} | {r.Check.Duplicated:N0} |");
        }

        if ((results.FirstOrDefault(r => r.Name == ScenarioRunner.SteadyInflux) ?? results.FirstOrDefault(r => r.Name == ScenarioRunner.Steady)) is { } ours && anchors.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| same load | samples/s stored | of offered | CPU s per M samples (all our processes / Node-RED) | peak RSS MiB | lost |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            var ourCpu = ours.Processes.Where(p => p.Role is "telemetry-edge" or "telemetry-ingest").Sum(p => p.CpuSecondsPerMillion);
            var ourRss = ours.Processes.Where(p => p.Role is "telemetry-edge" or "telemetry-ingest").Sum(p => p.PeakRssMiB);
            md.AppendLine(CultureInfo.InvariantCulture, $"| telemetry-edge + telemetry-ingest → {(ours.Name == ScenarioRunner.SteadyInflux ? "InfluxDB 1.x" : "VictoriaMetrics")} | {ours.SamplesPerSecond:N0} | {(double)ours.Check.Stored / Math.Max(1, ours.Check.Expected):P1} | {ourCpu:0.0} (edge + ingest) | {ourRss:0} (edge + ingest) | {ours.Check.Lost:N0} |");
            foreach (var a in anchors)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {a.Description} → InfluxDB 1.x | {a.SamplesPerSecond:N0} | {a.StoredFraction:P1} | {a.CpuSecondsPerMillion:0.0} | {a.PeakRssMiB:0} | {Math.Max(0, a.Offered - a.Stored):N0} (not stored of offered: discarded at the PLC, {a.Overflows:N0} Overflow flags; {a.StoredOfWindow:N0} stored of the window's own source times, {a.Lag.TotalSeconds:0} s behind; errors {a.Errors:N0}) |");
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"Ours vs Node-RED on the same load: {ours.SamplesPerSecond / Math.Max(1, a.SamplesPerSecond):0.0}x the samples/s stored, {ourCpu / a.CpuSecondsPerMillion:0.00}x its CPU per sample. (Both only store what the PLC offers here; the capacity figures are in the throughput rows.)");
            }
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
