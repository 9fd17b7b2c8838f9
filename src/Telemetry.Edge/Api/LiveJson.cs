using System.Text.Json;
using Telemetry.Core;
using Telemetry.Dashboard;
using Telemetry.Edge.Live;

namespace Telemetry.Edge.Api;

/// <summary>JSON shapes of the live API, written by hand with Utf8JsonWriter (no reflection, no boxing).</summary>
public static class LiveJson
{
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText SampleValueName = JsonEncodedText.Encode("v");

    public static void WriteMachines(Utf8JsonWriter writer, IReadOnlyList<LiveMachine> machines, long nowNs, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(machines);
        writer.WriteStartObject();
        writer.WriteNumber("now", DashboardJson.ToMs(nowNs));
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

            writer.WriteNumber("stateSince", DashboardJson.ToMs(m.StateSinceNs));
            writer.WriteNumber("alarmCode", m.AlarmCode);
            writer.WriteNumber("lastSeen", DashboardJson.ToMs(m.LastSeenNs));
            writer.WriteStartArray("tags");
            foreach (var tag in m.Tags)
            {
                writer.WriteStartObject();
                writer.WriteString("tag", tag.Tag);
                DashboardJson.WriteValue(writer, ValueName, tag.Value);
                writer.WriteString("quality", DashboardJson.QualityName(tag.Quality));
                writer.WriteNumber("time", DashboardJson.ToMs(tag.SourceTimeNs));
                writer.WriteNumber("received", DashboardJson.ToMs(tag.ReceiveTimeNs));

                // Freshness per tag: a tag that stopped updating says since when, even while its machine still talks.
                if (nowNs - tag.ReceiveTimeNs > (long)(staleAfter.TotalMilliseconds * 1_000_000))
                {
                    writer.WriteNumber("staleSince", DashboardJson.ToMs(tag.ReceiveTimeNs));
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
        DashboardJson.WriteValue(writer, SampleValueName, sample.Value);
        writer.WriteString("q", DashboardJson.QualityName(sample.Quality));
        writer.WriteNumber("ts", DashboardJson.ToMs(sample.SourceTimeNs));
        writer.WriteNumber("rt", DashboardJson.ToMs(sample.ReceiveTimeNs));
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
            writer.WriteNumber("sourceOverflows", s.SourceOverflows);
            writer.WriteNumber("lastSample", DashboardJson.ToMs(s.LastSampleUnixNs));
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
}
