using System.Text.Json;
using Telemetry.Core;
using Telemetry.Storage;

namespace Telemetry.Edge.Hosting;

/// <summary>
/// The spool's most recent drop-oldest deletions for `GET /api/edge`: which sequences and source-time span each took,
/// and how many of its records and samples had not been acknowledged (what the datacenter may never see).
/// </summary>
public static class SpoolDropsJson
{
    public static void Write(Utf8JsonWriter w, IReadOnlyList<SpoolDropReport> drops)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(drops);
        w.WriteStartArray("recentDrops");
        foreach (var drop in drops)
        {
            w.WriteStartObject();
            w.WriteString("segment", drop.Segment);
            w.WriteNumber("firstSequence", drop.FirstSequence);
            w.WriteNumber("lastSequence", drop.LastSequence);
            w.WriteNumber("droppedRecords", drop.DroppedRecords);
            w.WriteNumber("samples", drop.Samples);
            w.WriteNumber("tags", drop.Tags.Count);
            if (drop.FirstSourceTimeNs is { } first && drop.LastSourceTimeNs is { } last)
            {
                w.WriteString("firstSourceTime", UnixTime.ToDateTimeOffset(first));
                w.WriteString("lastSourceTime", UnixTime.ToDateTimeOffset(last));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
