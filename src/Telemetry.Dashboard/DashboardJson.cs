using System.Text.Json;
using Telemetry.Core;

namespace Telemetry.Dashboard;

/// <summary>
/// How the page's APIs (served by the edge agent and by the ingest) write a sample's parts, so both hosts give the
/// dashboard the same JSON: values as numbers (non-finite doubles as strings), booleans, strings or null; quality as
/// good / uncertain / bad; times as Unix milliseconds.
/// </summary>
public static class DashboardJson
{
    public static void WriteValue(Utf8JsonWriter writer, JsonEncodedText name, SampleValue value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value.Kind)
        {
            case SampleValueKind.Double:
                var d = value.AsDouble();
                if (double.IsFinite(d))
                {
                    writer.WriteNumber(name, d);
                }
                else
                {
                    writer.WriteString(name, value.ToString());
                }

                break;
            case SampleValueKind.Int64:
                writer.WriteNumber(name, value.AsInt64());
                break;
            case SampleValueKind.Boolean:
                writer.WriteBoolean(name, value.AsBoolean());
                break;
            case SampleValueKind.String:
                writer.WriteString(name, value.AsString());
                break;
            default:
                writer.WriteNull(name);
                break;
        }
    }

    public static string QualityName(Quality quality) => quality.Level switch
    {
        QualityLevel.Good => "good",
        QualityLevel.Uncertain => "uncertain",
        _ => "bad",
    };

    public static long ToMs(long unixNs) => unixNs / 1_000_000;
}
