using System.Text.Json;
using Telemetry.Core;
using Telemetry.Edge.Live;

namespace Telemetry.Edge.Api;

/// <summary>JSON shapes of the live API, written by hand with Utf8JsonWriter (no reflection, no boxing).</summary>
public static class LiveJson
{
    public static void WriteMachines(Utf8JsonWriter writer, IReadOnlyList<LiveMachine> machines, long nowNs, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(machines);
        writer.WriteStartObject();
        writer.WriteNumber("now", ToMs(nowNs));
        writer.WriteNumber("staleAfterMs", (long)staleAfter.TotalMilliseconds);
        writer.WriteStartArray("machines");
        foreach (var m in machines)
        {
            writer.WriteStartObject();
            writer.WriteString("key", m.Key);
            writer.WriteString("site", m.Site);
            writer.WriteString("area", m.Area);
            writer.WriteString("line", m.Line);
            writer.WriteString("machine", m.Machine);
            if (m.State is null)
            {
                writer.WriteNull("state");
            }
            else
            {
                writer.WriteString("state", m.State);
            }

            writer.WriteNumber("stateSince", ToMs(m.StateSinceNs));
            writer.WriteNumber("alarmCode", m.AlarmCode);
            writer.WriteNumber("lastSeen", ToMs(m.LastSeenNs));
            writer.WriteStartArray("tags");
            foreach (var tag in m.Tags)
            {
                writer.WriteStartObject();
                writer.WriteString("tag", tag.Tag);
                WriteValue(writer, "value", tag.Value);
                writer.WriteString("quality", QualityName(tag.Quality));
                writer.WriteNumber("time", ToMs(tag.SourceTimeNs));
                writer.WriteNumber("received", ToMs(tag.ReceiveTimeNs));

                // Freshness per tag: a tag that stopped updating says since when, even while its machine still talks.
                if (nowNs - tag.ReceiveTimeNs > (long)(staleAfter.TotalMilliseconds * 1_000_000))
                {
                    writer.WriteNumber("staleSince", ToMs(tag.ReceiveTimeNs));
                }
                else
                {
                    writer.WriteNull("staleSince");
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>One compact object per sample: m = machine key, t = tag, v = value, q = quality, ts = source ms, rt = receive ms.</summary>
    public static void WriteSample(Utf8JsonWriter writer, in Sample sample)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("m", sample.Path.MachineKey);
        writer.WriteString("t", sample.Path.Tag);
        WriteValue(writer, "v", sample.Value);
        writer.WriteString("q", QualityName(sample.Quality));
        writer.WriteNumber("ts", ToMs(sample.SourceTimeNs));
        writer.WriteNumber("rt", ToMs(sample.ReceiveTimeNs));
        writer.WriteEndObject();
    }

    public static void WriteSources(Utf8JsonWriter writer, IEnumerable<SourceHealth> sources)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sources);
        writer.WriteStartArray();
        foreach (var s in sources)
        {
            writer.WriteStartObject();
            writer.WriteString("name", s.Name);
            writer.WriteString("kind", s.Kind);
            writer.WriteString("state", s.State.ToString().ToLowerInvariant());
            writer.WriteNumber("samples", s.SamplesReceived);
            writer.WriteNumber("lastSample", ToMs(s.LastSampleUnixNs));
            if (s.LastError is null)
            {
                writer.WriteNull("lastError");
            }
            else
            {
                writer.WriteString("lastError", s.LastError);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static string QualityName(Quality quality) => quality.Level switch
    {
        QualityLevel.Good => "good",
        QualityLevel.Uncertain => "uncertain",
        _ => "bad",
    };

    private static void WriteValue(Utf8JsonWriter writer, string name, SampleValue value)
    {
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

    private static long ToMs(long unixNs) => unixNs / 1_000_000;
}
