using System.Globalization;
using System.Text;
using Telemetry.Harness.Measure;

namespace Telemetry.Harness.Report;

/// <summary>
/// A two-panel SVG of one scenario over time: live samples per second (top) and latency (bottom, log scale: live p50,
/// live p99, queryable), with the fault phase shaded. Plain SVG, so any browser (or the headless one) renders it.
/// </summary>
public static class SvgChart
{
    private const int Width = 1200;
    private const int PanelHeight = 300;
    private const int Left = 80;
    private const int Right = 30;
    private const int Top = 50;
    private const int Gap = 60;

    public static string Render(string title, IReadOnlyList<SecondRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var svg = new StringBuilder();
        var height = Top + (2 * PanelHeight) + Gap + 50;
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns='http://www.w3.org/2000/svg' width='{Width}' height='{height}' font-family='sans-serif' font-size='13'>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width='{Width}' height='{height}' fill='white'/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x='{Left}' y='28' font-size='18' font-weight='bold'>{Escape(title)}</text>");
        var seconds = Math.Max(1, rows.Count);
        double X(double s) => Left + (s / seconds * (Width - Left - Right));

        // Fault and after phases shaded in both panels.
        foreach (var (phase, from, to) in Phases(rows))
        {
            if (phase is "steady" or "drain" or "")
            {
                continue;
            }

            var fill = phase == "after" ? "#eef6ee" : "#fbe3e3";
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x='{X(from):0.#}' y='{Top}' width='{X(to + 1) - X(from):0.#}' height='{(2 * PanelHeight) + Gap}' fill='{fill}'/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x='{X(from) + 4:0.#}' y='{Top + 14}' fill='#a33'>{Escape(phase)}</text>");
        }

        var maxRate = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.LiveSamples)) * 1.1;
        Panel(svg, Top, "live samples/s", 0, maxRate, false, X, seconds);
        Line(svg, rows, r => r.LiveSamples, Top, 0, maxRate, false, X, "#1f77b4");

        var lower = Top + PanelHeight + Gap;
        var maxLatency = Math.Max(10, rows.Count == 0 ? 10 : rows.Max(r => Max(r.LiveP99Ms, r.QueryableMs))) * 1.5;
        Panel(svg, lower, "latency ms (log)", 1, maxLatency, true, X, seconds);
        Line(svg, rows, r => r.LiveP50Ms, lower, 1, maxLatency, true, X, "#2ca02c");
        Line(svg, rows, r => r.LiveP99Ms, lower, 1, maxLatency, true, X, "#d62728");
        Line(svg, rows, r => r.QueryableMs, lower, 1, maxLatency, true, X, "#9467bd");
        var legendY = lower + PanelHeight + 40;
        Legend(svg, Left, legendY, "#2ca02c", "source → live API p50");
        Legend(svg, Left + 220, legendY, "#d62728", "source → live API p99");
        Legend(svg, Left + 440, legendY, "#9467bd", "source → queryable in the store");
        Legend(svg, Left + 700, legendY, "#1f77b4", "live samples per second");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double Max(double a, double b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : b) : double.IsNaN(b) ? a : Math.Max(a, b);

    private static IEnumerable<(string Phase, int From, int To)> Phases(IReadOnlyList<SecondRow> rows)
    {
        var start = 0;
        for (var i = 1; i <= rows.Count; i++)
        {
            if (i == rows.Count || rows[i].Phase != rows[start].Phase)
            {
                yield return (rows[start].Phase, start, i - 1);
                start = i;
            }
        }
    }

    private static double Y(double value, int top, double min, double max, bool log)
    {
        double f;
        if (log)
        {
            f = (Math.Log10(Math.Max(value, min)) - Math.Log10(min)) / (Math.Log10(max) - Math.Log10(min));
        }
        else
        {
            f = (value - min) / (max - min);
        }

        return top + PanelHeight - (Math.Clamp(f, 0, 1) * PanelHeight);
    }

    private static void Panel(StringBuilder svg, int top, string label, double min, double max, bool log, Func<double, double> x, int seconds)
    {
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x='{Left}' y='{top}' width='{Width - Left - Right}' height='{PanelHeight}' fill='none' stroke='#888'/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x='{Left - 70}' y='{top - 8}' fill='#333'>{Escape(label)}</text>");
        var ticks = log ? LogTicks(min, max) : LinearTicks(max);
        foreach (var t in ticks)
        {
            var y = Y(t, top, min, max, log);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1='{Left}' x2='{Width - Right}' y1='{y:0.#}' y2='{y:0.#}' stroke='#e5e5e5'/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x='{Left - 6}' y='{y + 4:0.#}' text-anchor='end' fill='#555'>{t:#,0}</text>");
        }

        var step = seconds <= 60 ? 10 : seconds <= 300 ? 30 : seconds <= 900 ? 60 : 300;
        for (var s = 0; s <= seconds; s += step)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x='{x(s):0.#}' y='{top + PanelHeight + 16}' text-anchor='middle' fill='#555'>{s} s</text>");
        }
    }

    private static IEnumerable<double> LinearTicks(double max)
    {
        var step = Math.Pow(10, Math.Floor(Math.Log10(max)));
        if (max / step < 3)
        {
            step /= 2;
        }

        for (var v = 0.0; v <= max; v += step)
        {
            yield return v;
        }
    }

    private static IEnumerable<double> LogTicks(double min, double max)
    {
        for (var v = min; v <= max; v *= 10)
        {
            yield return v;
        }
    }

    private static void Line(StringBuilder svg, IReadOnlyList<SecondRow> rows, Func<SecondRow, double> value, int top, double min, double max, bool log, Func<double, double> x, string color)
    {
        var points = new StringBuilder();
        foreach (var row in rows)
        {
            var v = value(row);
            if (double.IsNaN(v))
            {
                continue;
            }

            points.Append(CultureInfo.InvariantCulture, $"{x(row.Second + 0.5):0.#},{Y(v, top, min, max, log):0.#} ");
        }

        if (points.Length > 0)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill='none' stroke='{color}' stroke-width='1.6' points='{points.ToString().Trim()}'/>");
        }
    }

    private static void Legend(StringBuilder svg, int x, int y, string color, string text)
    {
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x='{x}' y='{y - 10}' width='14' height='4' fill='{color}'/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x='{x + 20}' y='{y - 4}'>{Escape(text)}</text>");
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
