using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Core;
using Telemetry.Dashboard.Availability;
using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Health;

/// <summary>
/// Real-time machine health from the accepted points: per machine (site/area/line/machine of the asset path) the
/// latest value per tag, last seen, state (from <see cref="HealthOptions.StateField"/>, or from an active rule's
/// state), alarm code, and alerts from rules: thresholds with hysteresis and rates of change, evaluated as points
/// arrive in <see cref="Apply"/>; "no data for N s", evaluated by a timer on the injected <see cref="TimeProvider"/>.
/// <see cref="Apply"/> runs on the write request's thread: one lock per batch, a dictionary look-up per sample, no
/// allocation for known series. Rules see only good-quality numeric values (booleans as 0/1).
/// </summary>
public sealed class MachineHealth : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<AssetPath, TagEntry> _tags = [];
    private readonly Dictionary<string, MachineEntry> _machines = new(StringComparer.Ordinal);
    private readonly AlertRule[] _rules;
    private readonly AlertBook _alerts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer? _noDataTimer;
    private long _untracked;

    public MachineHealth(HealthOptions options, TimeProvider timeProvider, ILogger<MachineHealth>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        Options = options;
        _time = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _rules = new AlertRule[options.Rules.Count];
        var shortestNoData = TimeSpan.MaxValue;
        for (var i = 0; i < _rules.Length; i++)
        {
            _rules[i] = new AlertRule(options.Rules[i]);
            if (options.Rules[i].Kind == AlertRuleKind.NoData && options.Rules[i].NoDataFor < shortestNoData)
            {
                shortestNoData = options.Rules[i].NoDataFor;
            }
        }

        _alerts = new AlertBook(options.AlertHistory);
        if (shortestNoData != TimeSpan.MaxValue)
        {
            NoDataCheckPeriod = TimeSpan.FromTicks(Math.Clamp(shortestNoData.Ticks / 4, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond));
            _noDataTimer = timeProvider.CreateTimer(static state => ((MachineHealth)state!).OnNoDataTimer(), this, NoDataCheckPeriod, NoDataCheckPeriod);
        }
    }

    public HealthOptions Options { get; }

    /// <summary>Every machine's shown-state changes (today's availability, MTBF and MTTR on the machine page).</summary>
    public StateTimeline States { get; } = new();

    /// <summary>How often the no-data rules are checked (a quarter of the shortest, 100 ms to 1 s); zero without such rules.</summary>
    public TimeSpan NoDataCheckPeriod { get; }

    /// <summary>Samples of new series not tracked because <see cref="HealthOptions.MaxSeries"/> series already are.</summary>
    public long UntrackedSamples => Interlocked.Read(ref _untracked);

    public int MachineCount
    {
        get
        {
            lock (_lock)
            {
                return _machines.Count;
            }
        }
    }

    /// <summary>Takes one accepted batch of <paramref name="site"/>; a sample naming another site is ignored.</summary>
    public void Apply(string site, ReadOnlySpan<Sample> samples)
    {
        if (samples.IsEmpty || site is null)
        {
            return;
        }

        lock (_lock)
        {
            var nowNs = UnixTime.Now(_time);
            foreach (ref readonly var sample in samples)
            {
                if (!string.Equals(sample.Path.Site, site, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!_tags.TryGetValue(sample.Path, out var tag))
                {
                    if (_tags.Count >= Options.MaxSeries)
                    {
                        _untracked++;
                        continue;
                    }

                    tag = AddTag(sample.Path, nowNs);
                }

                ApplyOne(tag, sample, nowNs);
            }
        }
    }

    /// <summary>Machines of <paramref name="site"/> (null: every site), sorted by key.</summary>
    public IReadOnlyList<MachineSnapshot> Snapshot(string? site = null)
    {
        lock (_lock)
        {
            var list = new List<MachineSnapshot>();
            foreach (var m in _machines.Values)
            {
                if (site is not null && m.Site != site)
                {
                    continue;
                }

                var tags = new TagSnapshot[m.Tags.Count];
                for (var i = 0; i < tags.Length; i++)
                {
                    tags[i] = m.Tags[i].ToSnapshot();
                }

                var alerts = new Alert[m.ActiveAlerts.Count];
                for (var i = 0; i < alerts.Length; i++)
                {
                    alerts[i] = m.ActiveAlerts[i].ToAlert();
                }

                list.Add(new MachineSnapshot(m.Key, m.Site, m.Area, m.Line, m.Machine, m.ShownState, m.ShownSinceNs, m.AlarmCode, m.LastSeenNs, tags, alerts));
            }

            list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return list;
        }
    }

    /// <summary>Alerts of <paramref name="site"/> (null: every site): active ones newest first, then ended ones if asked.</summary>
    public IReadOnlyList<Alert> Alerts(string? site = null, bool includeEnded = false)
    {
        lock (_lock)
        {
            return _alerts.List(site, includeEnded);
        }
    }

    /// <summary>
    /// Records who acknowledged alert <paramref name="id"/> (the first acknowledgement stays). Null when there is no
    /// such alert or it belongs to a site other than <paramref name="site"/> (null: any site) — the caller cannot tell.
    /// </summary>
    public Alert? Acknowledge(long id, string by, string? site)
    {
        ArgumentException.ThrowIfNullOrEmpty(by);
        lock (_lock)
        {
            var entry = _alerts.Find(id);
            if (entry is null || (site is not null && entry.Machine.Site != site))
            {
                return null;
            }

            if (entry.AcknowledgedBy is null)
            {
                entry.AcknowledgedBy = by;
                entry.AcknowledgedAt = _time.GetUtcNow();
                HealthLog.AlertAcknowledged(_logger, entry.Id, entry.Machine.Key, entry.Rule.Name, by);
            }

            return entry.ToAlert();
        }
    }

    /// <summary>Checks the no-data rules now (the timer calls this; tests may too).</summary>
    public void EvaluateNoData()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var nowNs = UnixTime.FromDateTimeOffset(now);
            foreach (var machine in _machines.Values)
            {
                var changed = false;
                foreach (var track in machine.NoData)
                {
                    if (track.Active is null && nowNs - track.LastArrivalNs >= track.Rule.Options.NoDataFor.Ticks * 100)
                    {
                        track.Active = Raise(machine, track.Rule, track.Rule.Options.Field, track.Rule.NoDataMessage(track.Rule.Options.Field), double.NaN, now);
                        changed = true;
                    }
                }

                if (changed)
                {
                    machine.RefreshState(nowNs);
                }
            }
        }
    }

    public void Dispose() => _noDataTimer?.Dispose();

    private void OnNoDataTimer()
    {
        try
        {
            EvaluateNoData();
        }
#pragma warning disable CA1031 // a timer callback must not throw; the next tick tries again
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HealthLog.NoDataCheckFailed(_logger, ex);
        }
    }

    private TagEntry AddTag(AssetPath path, long nowNs)
    {
        var key = path.MachineKey;
        if (!_machines.TryGetValue(key, out var machine))
        {
            machine = new MachineEntry(path, nowNs, States);
            foreach (var rule in _rules)
            {
                if (rule.Kind == AlertRuleKind.NoData && rule.Machine.IsMatch(path.Machine))
                {
                    machine.NoData.Add(new NoDataTrack(rule, nowNs));
                }
            }

            _machines.Add(key, machine);
        }

        var tracks = new List<RuleTrack>();
        foreach (var rule in _rules)
        {
            if (rule.Kind != AlertRuleKind.NoData && rule.Watches(path.Machine, path.Tag))
            {
                tracks.Add(new RuleTrack(rule));
            }
        }

        var noData = machine.NoData.FindAll(t => t.Rule.Field.IsMatch(path.Tag));
        var tag = new TagEntry(machine, path.Tag, [.. tracks], [.. noData]);
        machine.Tags.Add(tag);
        _tags.Add(path, tag);
        return tag;
    }

    private void ApplyOne(TagEntry tag, in Sample sample, long nowNs)
    {
        var machine = tag.Machine;
        tag.Value = sample.Value;
        tag.Quality = sample.Quality;
        tag.SourceTimeNs = sample.SourceTimeNs;
        tag.ReceiveTimeNs = sample.ReceiveTimeNs;
        machine.LastSeenNs = Math.Max(machine.LastSeenNs, sample.ReceiveTimeNs);
        machine.LastArrivalNs = nowNs;
        var changed = false;
        if (Options.StateField is { } stateField && sample.Value.Kind == SampleValueKind.String && string.Equals(tag.Tag, stateField, StringComparison.Ordinal))
        {
            var state = sample.Value.AsString();
            if (!string.Equals(state, machine.StateFromField, StringComparison.Ordinal))
            {
                machine.StateFromField = state;
                machine.StateFieldSinceNs = sample.SourceTimeNs;
                changed = true;
            }
        }
        else if ((sample.Value.Kind is SampleValueKind.Int64 or SampleValueKind.Double) && string.Equals(tag.Tag, Options.AlarmField, StringComparison.Ordinal))
        {
            machine.AlarmCode = sample.Value.Kind == SampleValueKind.Int64 ? sample.Value.AsInt64() : (long)sample.Value.AsDouble();
        }

        foreach (var track in tag.NoData)
        {
            track.LastArrivalNs = nowNs;
            if (track.Active is not null)
            {
                End(track.Active, nowNs);
                track.Active = null;
                changed = true;
            }
        }

        if (tag.Rules.Length != 0 && sample.Quality.IsGood && sample.Value.Kind is SampleValueKind.Double or SampleValueKind.Int64 or SampleValueKind.Boolean)
        {
            var value = sample.Value.AsDouble();
            if (double.IsFinite(value))
            {
                foreach (var track in tag.Rules)
                {
                    changed |= Evaluate(track, tag, value, sample.SourceTimeNs);
                }
            }
        }

        if (changed)
        {
            machine.RefreshState(sample.SourceTimeNs);
        }
    }

    private bool Evaluate(RuleTrack track, TagEntry tag, double value, long timeNs)
    {
        var rule = track.Rule;
        if (rule.Kind == AlertRuleKind.Threshold)
        {
            if (track.Active is null && rule.ThresholdRaises(value))
            {
                track.Active = Raise(tag.Machine, rule, tag.Tag, rule.ThresholdMessage(tag.Tag, value), value, UnixTime.ToDateTimeOffset(timeNs));
                return true;
            }

            if (track.Active is not null && rule.ThresholdClears(value))
            {
                End(track.Active, timeNs);
                track.Active = null;
                return true;
            }

            return false;
        }

        // Rate of change between consecutive points of the tag (by source time; an older or equal time is skipped).
        if (!track.HasPrevious || timeNs <= track.PreviousTimeNs)
        {
            if (!track.HasPrevious)
            {
                (track.HasPrevious, track.PreviousValue, track.PreviousTimeNs) = (true, value, timeNs);
            }

            return false;
        }

        var perSecond = (value - track.PreviousValue) / ((timeNs - track.PreviousTimeNs) / 1e9);
        (track.PreviousValue, track.PreviousTimeNs) = (value, timeNs);
        if (track.Active is null && rule.RateRaises(perSecond))
        {
            track.Active = Raise(tag.Machine, rule, tag.Tag, rule.RateMessage(tag.Tag, perSecond), value, UnixTime.ToDateTimeOffset(timeNs));
            return true;
        }

        if (track.Active is not null && rule.RateClears(perSecond))
        {
            End(track.Active, timeNs);
            track.Active = null;
            return true;
        }

        return false;
    }

    private AlertEntry Raise(MachineEntry machine, AlertRule rule, string tag, string message, double value, DateTimeOffset since)
    {
        var entry = _alerts.Raise(machine, rule, tag, message, value, since);
        HealthLog.AlertRaised(_logger, entry.Id, machine.Key, rule.Name, message);
        return entry;
    }

    private void End(AlertEntry entry, long atNs)
    {
        _alerts.End(entry, UnixTime.ToDateTimeOffset(atNs));
        HealthLog.AlertEnded(_logger, entry.Id, entry.Machine.Key, entry.Rule.Name);
    }
}
