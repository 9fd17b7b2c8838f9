using Telemetry.Core;
using Telemetry.Simulator.Profiles;

namespace Telemetry.Simulator.Machines;

/// <summary>
/// One simulated machine playing a profile: a state machine (running / idle / setup / fault / off) with random
/// durations and faults, and signals that follow the state. Deterministic for a given seed and sequence of steps.
/// Not thread-safe except for the commands (<see cref="InjectFault"/>, <see cref="Repair"/>, <see cref="Paused"/>),
/// which the next <see cref="Step"/> applies.
/// </summary>
public sealed class SimulatedMachine
{
    private readonly Random _random;
    private readonly AssetPath[] _paths;
    private readonly double[] _values;
    private double _stateElapsed;
    private double _stateDuration;
    private double _cycleElapsed;
    private long _cycles;
    private long? _pendingFault;
    private bool _pendingRepair;
    private volatile bool _paused;

    public SimulatedMachine(MachineProfile profile, AssetPath machinePath, int seed)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(machinePath);
        Profile = profile;
        _random = new Random(seed);
        _paths = profile.Tags.Select(t => machinePath.WithTag(t.Name)).ToArray();
        _values = new double[profile.Tags.Count];
        State = profile.InitialState;
        for (var i = 0; i < _values.Length; i++)
        {
            var tag = profile.Tags[i];
            _values[i] = tag.Initial ?? (tag.Target.TryGetValue(State, out var target) ? target : 0);
        }

        // Start somewhere inside the first state so that a plant of identical machines does not move in lockstep.
        _stateDuration = DrawDuration(State);
        _stateElapsed = _random.NextDouble() * _stateDuration * 0.5;
    }

    public MachineProfile Profile { get; }

    public AssetPath MachinePath => _paths[0];

    public string Name => _paths[0].Machine;

    public string State { get; private set; }

    /// <summary>The active alarm code, 0 when none.</summary>
    public long AlarmCode { get; private set; }

    public long Cycles => _cycles;

    /// <summary>A paused machine emits no samples (its source looks stopped), while time goes on.</summary>
    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    /// <summary>Puts the machine into fault at the next step, with the given alarm (or a random one of the profile).</summary>
    public void InjectFault(long? alarmCode = null) =>
        _pendingFault = alarmCode ?? Profile.Faults.Alarms[_random.Next(Profile.Faults.Alarms.Count)].Code;

    /// <summary>Ends a fault at the next step (the maintenance team repaired it).</summary>
    public void Repair() => _pendingRepair = true;

    /// <summary>Advances the machine by <paramref name="seconds"/> of plant time.</summary>
    public void Step(double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        ApplyCommands();
        AdvanceState(seconds);
        AdvanceSignals(seconds);
    }

    /// <summary>Appends one sample per tag at <paramref name="timeNs"/> (nothing while paused).</summary>
    public void WriteSamples(SampleBatch batch, long timeNs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_paused)
        {
            return;
        }

        for (var i = 0; i < _paths.Length; i++)
        {
            batch.Add(new Sample(_paths[i], timeNs, CurrentValue(i), Quality.Good, timeNs));
        }
    }

    private SampleValue CurrentValue(int index)
    {
        var tag = Profile.Tags[index];
        return tag.Signal switch
        {
            SignalKind.State => SampleValue.FromString(State),
            SignalKind.AlarmCode => SampleValue.FromInt64(AlarmCode),
            SignalKind.Counter => SampleValue.FromInt64(_cycles),
            _ => tag.Type switch
            {
                TagValueType.Int => SampleValue.FromInt64((long)Math.Round(_values[index])),
                TagValueType.Bool => SampleValue.FromBoolean(_values[index] >= 0.5),
                TagValueType.String => SampleValue.FromString(_values[index].ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)),
                _ => SampleValue.FromDouble(Math.Round(_values[index], 3)),
            },
        };
    }

    private void ApplyCommands()
    {
        if (_pendingFault is { } code)
        {
            _pendingFault = null;
            EnterFault(code);
        }

        if (_pendingRepair)
        {
            _pendingRepair = false;
            if (State == MachineStates.Fault)
            {
                Enter(Pick(Profile.States[MachineStates.Fault].Next));
            }
        }
    }

    private void AdvanceState(double seconds)
    {
        _stateElapsed += seconds;
        if (State == MachineStates.Running)
        {
            _cycleElapsed += seconds;
            while (_cycleElapsed >= Profile.CycleSeconds)
            {
                _cycleElapsed -= Profile.CycleSeconds;
                _cycles++;
            }

            // Faults arrive as a Poisson process while running.
            var faultProbability = 1 - Math.Exp(-Profile.Faults.PerHourRunning * seconds / 3600.0);
            if (_random.NextDouble() < faultProbability)
            {
                EnterFault(Profile.Faults.Alarms[_random.Next(Profile.Faults.Alarms.Count)].Code);
                return;
            }
        }

        if (_stateElapsed >= _stateDuration)
        {
            Enter(Pick(Profile.States[State].Next));
        }
    }

    private void AdvanceSignals(double seconds)
    {
        for (var i = 0; i < _values.Length; i++)
        {
            var tag = Profile.Tags[i];
            switch (tag.Signal)
            {
                case SignalKind.FirstOrder:
                    var target = tag.Target[State];
                    var alpha = 1 - Math.Exp(-seconds / tag.TauSeconds);
                    var value = _values[i] + ((target - _values[i]) * alpha) + (Gaussian() * tag.Noise);
                    _values[i] = tag.Min is { } min ? Math.Max(min, value) : value;
                    break;
                case SignalKind.Stroke:
                    var inStroke = State == MachineStates.Running && _cycleElapsed < Profile.CycleSeconds * tag.Duty;
                    _values[i] = (inStroke ? tag.Peak : tag.Base) + (Gaussian() * tag.Noise);
                    break;
                default:
                    break;
            }
        }
    }

    private void EnterFault(long alarmCode)
    {
        AlarmCode = alarmCode;
        State = MachineStates.Fault;
        _stateElapsed = 0;
        _stateDuration = Profile.Faults.MinRepairSeconds +
            (_random.NextDouble() * (Profile.Faults.MaxRepairSeconds - Profile.Faults.MinRepairSeconds));
    }

    private void Enter(string state)
    {
        if (State == MachineStates.Fault)
        {
            AlarmCode = 0;
        }

        State = state;
        _stateElapsed = 0;
        _stateDuration = DrawDuration(state);
    }

    private double DrawDuration(string state)
    {
        var behaviour = Profile.States[state];
        return behaviour.MinSeconds + (_random.NextDouble() * (behaviour.MaxSeconds - behaviour.MinSeconds));
    }

    private string Pick(IReadOnlyList<KeyValuePair<string, double>> next)
    {
        var total = 0.0;
        foreach (var n in next)
        {
            total += n.Value;
        }

        var roll = _random.NextDouble() * total;
        foreach (var n in next)
        {
            roll -= n.Value;
            if (roll < 0)
            {
                return n.Key;
            }
        }

        return next[^1].Key;
    }

    private double Gaussian()
    {
        // Box-Muller: enough for signal noise.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
