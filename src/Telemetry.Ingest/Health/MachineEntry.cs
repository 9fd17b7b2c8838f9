using Telemetry.Core;
using Telemetry.Dashboard.Availability;

namespace Telemetry.Ingest.Health;

/// <summary>One machine's live state inside <see cref="MachineHealth"/> (mutated under its lock only).</summary>
internal sealed class MachineEntry(AssetPath firstPath, long nowNs, StateTimeline? states = null)
{
    public string Key { get; } = firstPath.MachineKey;

    public string Site { get; } = firstPath.Site;

    public string Area { get; } = firstPath.Area;

    public string Line { get; } = firstPath.Line;

    public string Machine { get; } = firstPath.Machine;

    /// <summary>Tags in first-seen order.</summary>
    public List<TagEntry> Tags { get; } = [];

    public List<AlertEntry> ActiveAlerts { get; } = [];

    /// <summary>"No data" rules that watch this machine, each with its last arrival of a watched field.</summary>
    public List<NoDataTrack> NoData { get; } = [];

    /// <summary>The edge's receive time of the newest sample (what "last seen" shows).</summary>
    public long LastSeenNs { get; set; }

    /// <summary>The ingest's clock when the newest sample arrived (what no-data rules compare against).</summary>
    public long LastArrivalNs { get; set; } = nowNs;

    public string? StateFromField { get; set; }

    public long StateFieldSinceNs { get; set; }

    public long AlarmCode { get; set; }

    /// <summary>What is shown: an active alert's rule state (most severe, then newest) over the state field.</summary>
    public string? ShownState { get; private set; }

    public long ShownSinceNs { get; private set; }

    /// <summary>Recomputes the shown state after a field or alert change; since moves only when the shown state changes.</summary>
    public void RefreshState(long changeNs)
    {
        string? state = null;
        AlertEntry? winner = null;
        foreach (var alert in ActiveAlerts)
        {
            if (alert.Rule.Options.State is not null && (winner is null || alert.Rule.Options.Severity >= winner.Rule.Options.Severity))
            {
                winner = alert;
            }
        }

        state = winner?.Rule.Options.State ?? StateFromField;
        if (!string.Equals(state, ShownState, StringComparison.Ordinal))
        {
            ShownSinceNs = winner is null && state is not null ? StateFieldSinceNs : changeNs;
            ShownState = state;
            if (state is not null)
            {
                // The shown state starts now (back to the field's state after an alert: not when the field last changed).
                states?.Record(Key, state, changeNs);
            }
        }
    }
}

/// <summary>The latest value of one tag, and the rules (threshold, rate) that watch it.</summary>
internal sealed class TagEntry(MachineEntry machine, string tag, RuleTrack[] rules, NoDataTrack[] noData)
{
    public MachineEntry Machine { get; } = machine;

    public string Tag { get; } = tag;

    public RuleTrack[] Rules { get; } = rules;

    public NoDataTrack[] NoData { get; } = noData;

    public SampleValue Value { get; set; }

    public Quality Quality { get; set; }

    public long SourceTimeNs { get; set; }

    public long ReceiveTimeNs { get; set; }

    public TagSnapshot ToSnapshot() => new(Tag, Value, Quality, SourceTimeNs, ReceiveTimeNs);
}

/// <summary>A threshold or rate rule's state for one tag: its active alert and, for rates, the previous point.</summary>
internal sealed class RuleTrack(AlertRule rule)
{
    public AlertRule Rule { get; } = rule;

    public AlertEntry? Active { get; set; }

    public bool HasPrevious { get; set; }

    public double PreviousValue { get; set; }

    public long PreviousTimeNs { get; set; }
}

/// <summary>A no-data rule's state for one machine: when a watched field last arrived, and its active alert.</summary>
internal sealed class NoDataTrack(AlertRule rule, long sinceNs)
{
    public AlertRule Rule { get; } = rule;

    public long LastArrivalNs { get; set; } = sinceNs;

    public AlertEntry? Active { get; set; }
}
