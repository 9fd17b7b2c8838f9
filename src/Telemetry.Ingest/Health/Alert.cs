using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Health;

/// <summary>
/// One alert as the API shows it: raised by <paramref name="Rule"/> for one machine (and the tag that tripped it),
/// active until <paramref name="Ended"/>. Ids are unique within one ingest instance.
/// </summary>
/// <param name="MachineKey">"site/area/line/machine", the key of `GET /api/machines` and of live samples.</param>
/// <param name="Value">The value that raised it (NaN for no-data alerts).</param>
public sealed record Alert(
    long Id,
    string Site,
    string MachineKey,
    string Machine,
    string Rule,
    string Tag,
    AlertSeverity Severity,
    string Message,
    double Value,
    DateTimeOffset Since,
    DateTimeOffset? Ended,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt)
{
    public bool IsActive => Ended is null;
}
