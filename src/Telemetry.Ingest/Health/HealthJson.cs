using System.Text.Json;
using Telemetry.Dashboard;
using Telemetry.Ingest.Live;

namespace Telemetry.Ingest.Health;

/// <summary>
/// JSON of `GET /api/machines` (the edge's shape, src/Telemetry.Edge/Api/LiveJson.cs, plus each machine's active
/// `alerts`) and of `GET /api/alerts`. Times are Unix milliseconds.
/// </summary>
public static class HealthJson
{
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");

    public static void WriteMachines(Utf8JsonWriter writer, IReadOnlyList<MachineSnapshot> machines, long nowNs, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(machines);
        var staleNs = staleAfter.Ticks * 100;
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
            writer.WriteString("state", m.State);
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
                if (nowNs - tag.ReceiveTimeNs > staleNs)
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
            writer.WriteStartArray("alerts");
            foreach (var alert in m.Alerts)
            {
                WriteAlert(writer, alert);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>{ now, alerts: [alert…] }.</summary>
    public static void WriteAlerts(Utf8JsonWriter writer, IReadOnlyList<Alert> alerts, long nowNs)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(alerts);
        writer.WriteStartObject();
        writer.WriteNumber("now", DashboardJson.ToMs(nowNs));
        writer.WriteStartArray("alerts");
        foreach (var alert in alerts)
        {
            WriteAlert(writer, alert);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// { id, site, machine: key, name: machine name, rule, tag, severity: "info"|"warning"|"critical", message,
    /// value|null, since: ms, ended: ms|null, active, acknowledgedBy|null, acknowledgedAt: ms|null }.
    /// </summary>
    public static void WriteAlert(Utf8JsonWriter writer, Alert alert)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(alert);
        writer.WriteStartObject();
        writer.WriteNumber("id", alert.Id);
        writer.WriteString("site", alert.Site);
        writer.WriteString("machine", alert.MachineKey);
        writer.WriteString("name", alert.Machine);
        writer.WriteString("rule", alert.Rule);
        writer.WriteString("tag", alert.Tag);
        writer.WriteString("severity", alert.Severity switch
        {
            Configuration.AlertSeverity.Info => "info",
            Configuration.AlertSeverity.Critical => "critical",
            _ => "warning",
        });
        writer.WriteString("message", alert.Message);
        if (double.IsFinite(alert.Value))
        {
            writer.WriteNumber("value", alert.Value);
        }
        else
        {
            writer.WriteNull("value");
        }

        writer.WriteNumber("since", alert.Since.ToUnixTimeMilliseconds());
        WriteTime(writer, "ended", alert.Ended);
        writer.WriteBoolean("active", alert.IsActive);
        writer.WriteString("acknowledgedBy", alert.AcknowledgedBy);
        WriteTime(writer, "acknowledgedAt", alert.AcknowledgedAt);
        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            writer.WriteNumber(name, t.ToUnixTimeMilliseconds());
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
