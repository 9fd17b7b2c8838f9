using Telemetry.Core;
using Telemetry.Dashboard.Availability;

namespace Telemetry.Edge.Live;

/// <summary>Latest value of one tag, as the live page shows it.</summary>
public sealed record LiveTagValue(string Tag, SampleValue Value, Quality Quality, long SourceTimeNs, long ReceiveTimeNs);

/// <summary>A machine as the live page shows it: state, since when, active alarm, latest tag values.</summary>
public sealed record LiveMachine(
    string Key,
    string Site,
    string Area,
    string Line,
    string Machine,
    string? State,
    long StateSinceNs,
    long AlarmCode,
    long LastSeenNs,
    IReadOnlyList<LiveTagValue> Tags);

/// <summary>
/// The edge's own live picture of its machines, fed by the pipeline after each durable write. Works with no
/// datacenter at all. The state comes from the tag named "state" and the alarm from "alarm_code" (by convention of
/// the profiles and the config's mappings).
/// </summary>
public sealed class LiveView
{
    public const string StateTag = "state";
    public const string AlarmTag = "alarm_code";

    private readonly Dictionary<string, MachineEntry> _machines = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Every machine's state changes (today's availability, MTBF and MTTR on the machine page).</summary>
    public StateTimeline States { get; } = new();

    public void Apply(ReadOnlySpan<Sample> samples)
    {
        lock (_lock)
        {
            foreach (ref readonly var sample in samples)
            {
                var key = sample.Path.MachineKey;
                if (!_machines.TryGetValue(key, out var machine))
                {
                    machine = new MachineEntry(sample.Path, States);
                    _machines.Add(key, machine);
                }

                machine.Apply(sample);
            }
        }
    }

    public IReadOnlyList<LiveMachine> Snapshot()
    {
        lock (_lock)
        {
            var result = new List<LiveMachine>(_machines.Count);
            foreach (var machine in _machines.Values)
            {
                result.Add(machine.ToLive());
            }

            result.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return result;
        }
    }

    private sealed class MachineEntry(AssetPath path, StateTimeline states)
    {
        private readonly Dictionary<string, LiveTagValue> _tags = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];
        private string? _state;
        private long _stateSinceNs;
        private long _alarm;
        private long _lastSeenNs;

        public void Apply(in Sample sample)
        {
            var tag = sample.Path.Tag;
            if (!_tags.ContainsKey(tag))
            {
                _order.Add(tag);
            }

            _tags[tag] = new LiveTagValue(tag, sample.Value, sample.Quality, sample.SourceTimeNs, sample.ReceiveTimeNs);
            _lastSeenNs = Math.Max(_lastSeenNs, sample.ReceiveTimeNs);
            if (tag == StateTag && sample.Value.Kind == SampleValueKind.String)
            {
                var state = sample.Value.AsString();
                if (state != _state)
                {
                    _state = state;
                    _stateSinceNs = sample.SourceTimeNs;
                    states.Record(path.MachineKey, state, sample.SourceTimeNs);
                }
            }
            else if (tag == AlarmTag && sample.Value.Kind == SampleValueKind.Int64)
            {
                _alarm = sample.Value.AsInt64();
            }
        }

        public LiveMachine ToLive()
        {
            var tags = new List<LiveTagValue>(_order.Count);
            foreach (var name in _order)
            {
                tags.Add(_tags[name]);
            }

            return new LiveMachine(path.MachineKey, path.Site, path.Area, path.Line, path.Machine, _state, _stateSinceNs, _alarm, _lastSeenNs, tags);
        }
    }
}
