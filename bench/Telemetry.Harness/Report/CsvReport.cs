using System.Globalization;
using System.Text;
using Telemetry.Harness.Scenarios;

namespace Telemetry.Harness.Report;

/// <summary>One CSV per scenario: a row per measured second (live throughput and latency, queryable latency, backlog, CPU, memory).</summary>
public static class CsvReport
{
    public static string Write(ScenarioResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        var path = Path.Combine(directory, $"{result.Name}.csv");
        var text = new StringBuilder();
        text.AppendLine("second,phase,live_samples,live_p50_ms,live_p99_ms,queryable_ms,edge_backlog,edge_samples_written,edge_cpu_percent,ingest_cpu_percent,edge_rss_mib,ingest_rss_mib");
        foreach (var r in result.Rows)
        {
            text.AppendLine(string.Join(',',
                r.Second.ToString(CultureInfo.InvariantCulture), r.Phase, r.LiveSamples.ToString(CultureInfo.InvariantCulture),
                F(r.LiveP50Ms), F(r.LiveP99Ms), F(r.QueryableMs), r.EdgeBacklog.ToString(CultureInfo.InvariantCulture),
                r.EdgeSamplesWritten.ToString(CultureInfo.InvariantCulture), F(r.EdgeCpuPercent), F(r.IngestCpuPercent), F(r.EdgeRssMiB), F(r.IngestRssMiB)));
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static string F(double value) => double.IsNaN(value) ? string.Empty : value.ToString("0.#", CultureInfo.InvariantCulture);
}
