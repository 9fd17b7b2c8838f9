namespace Telemetry.Dashboard.Availability;

/// <summary>One state of a machine from <see cref="FromNs"/> (Unix ns, source time) until the next change.</summary>
public readonly record struct StateChange(string State, long FromNs);

/// <summary>
/// Every machine's state changes, kept for the availability figures of the machine page (today's running, fault and
/// planned time). Bounded: changes older than <see cref="KeepFor"/> are forgotten (the one in force at that cut is
/// kept, so the interval across it still counts), and at most <see cref="MaxChangesPerMachine"/> per machine.
/// Thread-safe; state changes are rare (not a hot path), so a lock per call is fine.
/// </summary>
public sealed class StateTimeline
{
    public const int MaxChangesPerMachine = 4096;

    private readonly Dictionary<string, List<StateChange>> _machines = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long changes are kept: two days, so "today" is always covered whatever the time zone.</summary>
    public static TimeSpan KeepFor { get; } = TimeSpan.FromHours(48);

    /// <summary>
    /// Notes that machine <paramref name="machineKey"/> is in <paramref name="state"/> from <paramref name="fromNs"/>.
    /// The same state again is ignored; a time before the previous change (a late sample) is moved up to it, so the
    /// list stays in time order.
    /// </summary>
    public void Record(string machineKey, string state, long fromNs)
    {
        ArgumentException.ThrowIfNullOrEmpty(machineKey);
        ArgumentNullException.ThrowIfNull(state);
        lock (_lock)
        {
            if (!_machines.TryGetValue(machineKey, out var list))
            {
                list = [];
                _machines.Add(machineKey, list);
            }

            if (list.Count > 0)
            {
                var last = list[^1];
                if (string.Equals(last.State, state, StringComparison.Ordinal))
                {
                    return;
                }

                fromNs = Math.Max(fromNs, last.FromNs);
            }

            list.Add(new StateChange(state, fromNs));
            Prune(list, fromNs - (KeepFor.Ticks * 100));
        }
    }

    /// <summary>The changes of <paramref name="machineKey"/>, oldest first (empty when none was seen).</summary>
    public IReadOnlyList<StateChange> Changes(string machineKey)
    {
        ArgumentNullException.ThrowIfNull(machineKey);
        lock (_lock)
        {
            return _machines.TryGetValue(machineKey, out var list) ? list.ToArray() : [];
        }
    }

    /// <summary>Drops changes before <paramref name="cutNs"/> but the one in force at the cut; caps the count.</summary>
    private static void Prune(List<StateChange> list, long cutNs)
    {
        var drop = 0;
        while (drop + 1 < list.Count && list[drop + 1].FromNs <= cutNs)
        {
            drop++;
        }

        drop = Math.Max(drop, list.Count - MaxChangesPerMachine);
        if (drop > 0)
        {
            list.RemoveRange(0, drop);
        }
    }
}
