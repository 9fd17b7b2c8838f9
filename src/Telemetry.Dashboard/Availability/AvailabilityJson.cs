using System.Text.Json;

namespace Telemetry.Dashboard.Availability;

/// <summary>
/// JSON of `GET /api/availability?machine=KEY` (edge and ingest): { machine, from, to, observedFrom: ms, plannedMs,
/// runningMs, faultMs, faults, availability: 0..1|null, mtbfMs|null, mttrMs|null, changes: [{ state, from: ms }] }
/// (changes: those inside the window, and the one in force at its start).
/// </summary>
public static class AvailabilityJson
{
    public static void Write(Utf8JsonWriter writer, string machineKey, AvailabilityFigures figures, IReadOnlyList<StateChange> changes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(machineKey);
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(changes);
        writer.WriteStartObject();
        writer.WriteString("machine", machineKey);
        writer.WriteNumber("from", DashboardJson.ToMs(figures.WindowStartNs));
        writer.WriteNumber("to", DashboardJson.ToMs(figures.WindowEndNs));
        writer.WriteNumber("observedFrom", DashboardJson.ToMs(figures.ObservedFromNs));
        writer.WriteNumber("plannedMs", DashboardJson.ToMs(figures.PlannedNs));
        writer.WriteNumber("runningMs", DashboardJson.ToMs(figures.RunningNs));
        writer.WriteNumber("faultMs", DashboardJson.ToMs(figures.FaultNs));
        writer.WriteNumber("faults", figures.Faults);
        if (figures.Availability is { } availability)
        {
            writer.WriteNumber("availability", Math.Round(availability, 4));
        }
        else
        {
            writer.WriteNull("availability");
        }

        WriteMs(writer, "mtbfMs", figures.MtbfNs);
        WriteMs(writer, "mttrMs", figures.MttrNs);
        writer.WriteStartArray("changes");
        for (var i = 0; i < changes.Count; i++)
        {
            if (i + 1 < changes.Count && changes[i + 1].FromNs <= figures.WindowStartNs)
            {
                // over before the window began
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("state", changes[i].State);
            writer.WriteNumber("from", DashboardJson.ToMs(changes[i].FromNs));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteMs(Utf8JsonWriter writer, string name, long? ns)
    {
        if (ns is { } value)
        {
            writer.WriteNumber(name, DashboardJson.ToMs(value));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
