using System.Globalization;
using System.Text;

namespace Telemetry.Edge.Checks;

/// <summary>Runs every probe at once (bounded by its own timeout) and prints one row each, with a fix-it line under each failure.</summary>
public static class CheckTable
{
    public static async Task<IReadOnlyList<(IConnectivityProbe Probe, ProbeResult Result)>> RunAsync(
        IReadOnlyList<IConnectivityProbe> probes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probes);
        var runs = probes.Select(async p =>
        {
            try
            {
                return (p, await p.RunAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return (p, ProbeResult.Failed(ex.Message, "Unexpected failure of the check itself; see the message."));
            }
        });
        return await Task.WhenAll(runs).ConfigureAwait(false);
    }

    public static string Format(IReadOnlyList<(IConnectivityProbe Probe, ProbeResult Result)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        string[] header = ["CHECK", "TARGET", "RESULT", "SECURITY", "TAGS", "LATENCY", "SAMPLE VALUES"];
        var cells = rows.Select(r => new[]
        {
            r.Probe.What,
            r.Probe.Target,
            r.Result.Ok ? "ok" : "FAILED",
            r.Result.Security ?? "-",
            r.Result.TagCount?.ToString(CultureInfo.InvariantCulture) ?? "-",
            r.Result.Latency is { } l ? $"{l.TotalMilliseconds:0} ms" : "-",
            r.Result.Ok ? Clip(r.Result.Sample ?? r.Result.Problem ?? "-", 60) : "-",
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        var text = new StringBuilder();
        void Row(string[] row) => text.AppendJoin("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).Append('\n');
        Row(header);
        for (var i = 0; i < rows.Count; i++)
        {
            Row(cells[i]);
            if (!rows[i].Result.Ok)
            {
                text.Append("    problem: ").Append(rows[i].Result.Problem).Append('\n');
                text.Append("    fix:     ").Append(rows[i].Result.Hint).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : string.Concat(s.AsSpan(0, max - 1), "…");
}
