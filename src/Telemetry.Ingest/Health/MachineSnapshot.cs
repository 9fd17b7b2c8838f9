using Telemetry.Core;

namespace Telemetry.Ingest.Health;

/// <summary>Latest value of one tag of a machine.</summary>
public sealed record TagSnapshot(string Tag, SampleValue Value, Quality Quality, long SourceTimeNs, long ReceiveTimeNs);

/// <summary>
/// A machine as `GET /api/machines` shows it (the edge's shape): state and since when, alarm code, last seen (the
/// edge's receive time of its newest sample), latest tag values in first-seen order, and its active alerts.
/// </summary>
public sealed record MachineSnapshot(
    string Key,
    string Site,
    string Area,
    string Line,
    string Machine,
    string? State,
    long StateSinceNs,
    long AlarmCode,
    long LastSeenNs,
    IReadOnlyList<TagSnapshot> Tags,
    IReadOnlyList<Alert> Alerts);
