using System.Text;

namespace Telemetry.Ingest.History;

/// <summary>
/// Quoting of names and values put into InfluxQL and PromQL text, so that a machine or tag name with quotes,
/// backslashes, commas, spaces or newlines is matched literally and can never change the query.
/// </summary>
public static class QueryEscaping
{
    /// <summary>An InfluxQL identifier: <c>"…"</c> with <c>\</c>, <c>"</c> and newline escaped (the influxql scanner's ScanString knows only these escapes).</summary>
    public static string InfluxIdentifier(string name) => Quote(name, '"', prom: false);

    /// <summary>An InfluxQL string literal: <c>'…'</c> with <c>\</c> and <c>'</c> escaped.</summary>
    public static string InfluxString(string value) => Quote(value, '\'', prom: false);

    /// <summary>A PromQL/MetricsQL label value: <c>"…"</c>, Go string escapes for <c>\</c>, <c>"</c> and control characters.</summary>
    public static string PromString(string value) => Quote(value, '"', prom: true);

    private static string Quote(string text, char quote, bool prom)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 8).Append(quote);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r' when prom: sb.Append(@"\r"); break;
                case '\t' when prom: sb.Append(@"\t"); break;
                default:
                    if (c == quote)
                    {
                        sb.Append('\\').Append(c);
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append(quote).ToString();
    }
}
