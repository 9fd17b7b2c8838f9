using System.Globalization;
using System.Text;

namespace Telemetry.Core.Diagnostics;

/// <summary>Writes the Prometheus text exposition format (version 0.0.4): HELP/TYPE once per family, escaped labels.</summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    /// <summary>Writes one sample; <paramref name="labels"/> alternate name, value.</summary>
    public PrometheusText Metric(string name, string type, string help, double value, params ReadOnlySpan<string> labels) =>
        Metric(name, name, type, help, value, labels);

    /// <summary>One sample of family <paramref name="family"/> (a histogram's <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).</summary>
    public PrometheusText Metric(string family, string name, string type, string help, double value, params ReadOnlySpan<string> labels)
    {
        if (_families.Add(family))
        {
            _text.Append("# HELP ").Append(family).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(family).Append(' ').Append(type).Append('\n');
        }

        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i + 1 < labels.Length; i += 2)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i]).Append("=\"");
                foreach (var c in labels[i + 1])
                {
                    _ = c switch
                    {
                        '\\' => _text.Append("\\\\"),
                        '"' => _text.Append("\\\""),
                        '\n' => _text.Append("\\n"),
                        _ => _text.Append(c),
                    };
                }

                _text.Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    public PrometheusText Counter(string name, string help, double value, params ReadOnlySpan<string> labels) =>
        Metric(name, "counter", help, value, labels);

    public PrometheusText Gauge(string name, string help, double value, params ReadOnlySpan<string> labels) =>
        Metric(name, "gauge", help, value, labels);

    public override string ToString() => _text.ToString();

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
