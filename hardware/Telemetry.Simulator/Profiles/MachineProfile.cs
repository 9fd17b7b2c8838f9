namespace Telemetry.Simulator.Profiles;

/// <summary>The machine states every profile uses, as the dashboard shows them.</summary>
public static class MachineStates
{
    public const string Running = "running";
    public const string Idle = "idle";
    public const string Setup = "setup";
    public const string Fault = "fault";
    public const string Off = "off";

    public static readonly IReadOnlyList<string> All = [Running, Idle, Setup, Fault, Off];
}

/// <summary>A kind of machine: its states and transitions, fault behaviour and tags (validated when loaded).</summary>
public sealed record MachineProfile(
    string Kind,
    string Display,
    double CycleSeconds,
    FaultBehaviour Faults,
    IReadOnlyDictionary<string, StateBehaviour> States,
    string InitialState,
    IReadOnlyList<TagProfile> Tags);

public sealed record FaultBehaviour(double PerHourRunning, double MinRepairSeconds, double MaxRepairSeconds, IReadOnlyList<AlarmProfile> Alarms);

public sealed record AlarmProfile(long Code, string Text);

/// <summary>How long a state lasts (seconds, uniform between min and max) and where it goes next (weights).</summary>
public sealed record StateBehaviour(double MinSeconds, double MaxSeconds, IReadOnlyList<KeyValuePair<string, double>> Next);

public enum TagValueType
{
    Double,
    Int,
    Bool,
    String,
}

public enum SignalKind
{
    /// <summary>Approaches the current state's target with a time constant, plus Gaussian noise.</summary>
    FirstOrder,

    /// <summary>One pressure stroke per cycle while running: peak for the duty fraction, base otherwise.</summary>
    Stroke,

    /// <summary>Counts finished cycles while running.</summary>
    Counter,

    /// <summary>The machine state as text.</summary>
    State,

    /// <summary>The active alarm code, 0 when none.</summary>
    AlarmCode,
}

public sealed record TagProfile(
    string Name,
    string? Unit,
    TagValueType Type,
    SignalKind Signal,
    IReadOnlyDictionary<string, double> Target,
    double TauSeconds,
    double Noise,
    double? Min,
    double? Initial,
    double Base,
    double Peak,
    double Duty);
