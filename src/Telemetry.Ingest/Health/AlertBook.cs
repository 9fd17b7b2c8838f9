namespace Telemetry.Ingest.Health;

/// <summary>An alert while MachineHealth holds it (mutated under its lock; <see cref="ToAlert"/> for readers).</summary>
internal sealed class AlertEntry(long id, MachineEntry machine, AlertRule rule, string tag, string message, double value, DateTimeOffset since)
{
    public long Id { get; } = id;

    public MachineEntry Machine { get; } = machine;

    public AlertRule Rule { get; } = rule;

    public DateTimeOffset Since { get; } = since;

    public DateTimeOffset? Ended { get; set; }

    public string? AcknowledgedBy { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    public Alert ToAlert() => new(
        Id, Machine.Site, Machine.Key, Machine.Machine, Rule.Name, tag, Rule.Options.Severity, message, value, Since, Ended, AcknowledgedBy, AcknowledgedAt);
}

/// <summary>Active alerts by id, and a bounded history of ended ones (oldest forgotten first). Not thread-safe.</summary>
internal sealed class AlertBook(int historyCapacity)
{
    private readonly Dictionary<long, AlertEntry> _active = [];
    private readonly Queue<AlertEntry> _ended = new();
    private long _nextId;

    public int ActiveCount => _active.Count;

    public AlertEntry Raise(MachineEntry machine, AlertRule rule, string tag, string message, double value, DateTimeOffset since)
    {
        var entry = new AlertEntry(++_nextId, machine, rule, tag, message, value, since);
        _active.Add(entry.Id, entry);
        machine.ActiveAlerts.Add(entry);
        return entry;
    }

    public void End(AlertEntry entry, DateTimeOffset at)
    {
        if (!_active.Remove(entry.Id))
        {
            return;
        }

        entry.Ended = at;
        entry.Machine.ActiveAlerts.Remove(entry);
        if (historyCapacity == 0)
        {
            return;
        }

        if (_ended.Count >= historyCapacity)
        {
            _ended.Dequeue();
        }

        _ended.Enqueue(entry);
    }

    public AlertEntry? Find(long id)
    {
        if (_active.TryGetValue(id, out var entry))
        {
            return entry;
        }

        foreach (var ended in _ended)
        {
            if (ended.Id == id)
            {
                return ended;
            }
        }

        return null;
    }

    /// <summary>Active ones first (newest first), then ended ones newest first when <paramref name="includeEnded"/>.</summary>
    public List<Alert> List(string? site, bool includeEnded)
    {
        var list = new List<Alert>();
        foreach (var entry in _active.Values)
        {
            if (site is null || entry.Machine.Site == site)
            {
                list.Add(entry.ToAlert());
            }
        }

        list.Sort(static (a, b) => b.Id.CompareTo(a.Id));
        if (includeEnded)
        {
            var ended = new List<Alert>();
            foreach (var entry in _ended)
            {
                if (site is null || entry.Machine.Site == site)
                {
                    ended.Add(entry.ToAlert());
                }
            }

            ended.Reverse();
            list.AddRange(ended);
        }

        return list;
    }
}
