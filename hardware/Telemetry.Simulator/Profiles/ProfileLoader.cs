using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Telemetry.Simulator.Profiles;

/// <summary>
/// Reads machine profiles (YAML, see hardware/profiles). Unknown keys, wrong types and inconsistent states are
/// errors that name the file, the line and what is expected.
/// </summary>
public static class ProfileLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>The profiles built into the simulator (hardware/profiles/*.yaml), by kind.</summary>
    public static IReadOnlyDictionary<string, MachineProfile> BuiltIn { get; } = LoadBuiltIn();

    public static MachineProfile LoadFile(string path) => Parse(File.ReadAllText(path), path);

    public static MachineProfile Parse(string yaml, string sourceName)
    {
        ProfileDocument document;
        try
        {
            document = Deserializer.Deserialize<ProfileDocument>(yaml)
                ?? throw new ProfileFormatException($"{sourceName}: the file is empty; expected a machine profile.");
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            throw new ProfileFormatException(
                $"{sourceName}:{ex.Start.Line}:{ex.Start.Column}: {reason}", ex);
        }

        return Validate(document, sourceName);
    }

    private static Dictionary<string, MachineProfile> LoadBuiltIn()
    {
        var assembly = typeof(ProfileLoader).Assembly;
        var result = new Dictionary<string, MachineProfile>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith("profiles/", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var profile = Parse(reader.ReadToEnd(), "hardware/" + name);
            result.Add(profile.Kind, profile);
        }

        return result;
    }

    private static MachineProfile Validate(ProfileDocument d, string source)
    {
        string Fail(string message) => throw new ProfileFormatException($"{source}: {message}");

        if (string.IsNullOrWhiteSpace(d.Kind))
        {
            Fail("'kind' is required (a short name such as cnc-mill).");
        }

        if (d.CycleSeconds <= 0)
        {
            Fail("'cycle_seconds' must be a positive number of seconds.");
        }

        var states = new Dictionary<string, StateBehaviour>(StringComparer.Ordinal);
        foreach (var (name, state) in d.States ?? [])
        {
            if (!MachineStates.All.Contains(name))
            {
                Fail($"states.{name}: unknown state; expected one of {string.Join(", ", MachineStates.All)}.");
            }

            var duration = state.Duration ?? [];
            if (name != MachineStates.Fault && (duration.Length != 2 || duration[0] <= 0 || duration[1] < duration[0]))
            {
                Fail($"states.{name}.duration: expected [min, max] seconds with 0 < min <= max.");
            }

            var next = new List<KeyValuePair<string, double>>();
            foreach (var (target, weight) in state.Next ?? [])
            {
                if (!MachineStates.All.Contains(target) || target == MachineStates.Fault)
                {
                    Fail($"states.{name}.next.{target}: not a state a machine can move to (faults are random).");
                }

                if (weight < 0)
                {
                    Fail($"states.{name}.next.{target}: weight must not be negative.");
                }

                next.Add(new(target, weight));
            }

            if (next.Sum(n => n.Value) <= 0)
            {
                Fail($"states.{name}.next: at least one next state needs a positive weight.");
            }

            states[name] = new StateBehaviour(
                duration.Length == 2 ? duration[0] : 0,
                duration.Length == 2 ? duration[1] : 0,
                next);
        }

        foreach (var required in MachineStates.All)
        {
            if (!states.ContainsKey(required))
            {
                Fail($"states.{required} is missing; every profile describes all of {string.Join(", ", MachineStates.All)}.");
            }
        }

        foreach (var (name, state) in states)
        {
            foreach (var next in state.Next)
            {
                if (!states.ContainsKey(next.Key))
                {
                    Fail($"states.{name}.next.{next.Key}: no such state in this profile.");
                }
            }
        }

        var initial = d.InitialState ?? MachineStates.Idle;
        if (!states.ContainsKey(initial) || initial == MachineStates.Fault)
        {
            Fail($"initial_state '{initial}' must be one of running, idle, setup, off.");
        }

        var faults = d.Faults ?? new FaultDocument();
        var repair = faults.RepairSeconds ?? [60, 300];
        if (repair.Length != 2 || repair[0] <= 0 || repair[1] < repair[0])
        {
            Fail("faults.repair_seconds: expected [min, max] seconds with 0 < min <= max.");
        }

        var alarms = (faults.Alarms ?? []).Select(a => new AlarmProfile(a.Code, a.Text ?? $"Alarm {a.Code}")).ToList();
        if (alarms.Count == 0)
        {
            alarms.Add(new AlarmProfile(1, "Machine fault"));
        }

        var tags = new List<TagProfile>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (d.Tags?.Count ?? 0); i++)
        {
            var t = d.Tags![i];
            var where = $"tags[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (string.IsNullOrWhiteSpace(t.Name))
            {
                Fail($"{where}.name is required.");
            }

            if (!names.Add(t.Name!))
            {
                Fail($"{where}.name '{t.Name}' is used twice.");
            }

            var type = ParseEnum<TagValueType>(t.Type ?? "double", $"{where}.type", source);
            var signal = ParseEnum<SignalKind>(t.Signal ?? "first_order", $"{where}.signal", source);
            var target = new Dictionary<string, double>(t.Target ?? [], StringComparer.Ordinal);
            if (signal == SignalKind.FirstOrder)
            {
                foreach (var state in MachineStates.All)
                {
                    if (!target.ContainsKey(state))
                    {
                        Fail($"{where}.target.{state} is missing: a first_order signal needs a target for every state.");
                    }
                }
            }

            tags.Add(new TagProfile(
                t.Name!, t.Unit, type, signal, target,
                t.TauSeconds is > 0 ? t.TauSeconds.Value : 1,
                t.Noise ?? 0, t.Min, t.Initial, t.Base ?? 0, t.Peak ?? 0, t.Duty is > 0 and < 1 ? t.Duty.Value : 0.3));
        }

        if (tags.Count == 0)
        {
            Fail("'tags' must list at least one tag.");
        }

        return new MachineProfile(d.Kind!, d.Display ?? d.Kind!, d.CycleSeconds, new FaultBehaviour(
            faults.PerHourRunning, repair[0], repair[1], alarms), states, initial, tags);
    }

    private static T ParseEnum<T>(string text, string where, string source)
        where T : struct, Enum
    {
        var normalized = text.Replace("_", string.Empty, StringComparison.Ordinal);
        return Enum.TryParse<T>(normalized, ignoreCase: true, out var value)
            ? value
            : throw new ProfileFormatException(
                $"{source}: {where}: '{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
    }

    // YamlDotNet DTOs: the file's shape, checked by Validate.
#pragma warning disable CA1812, CA1819, CA2227 // instantiated by YamlDotNet; arrays and setters are its shape
    private sealed class ProfileDocument
    {
        public string? Kind { get; set; }

        public string? Display { get; set; }

        public double CycleSeconds { get; set; }

        public FaultDocument? Faults { get; set; }

        public Dictionary<string, StateDocument>? States { get; set; }

        public string? InitialState { get; set; }

        public List<TagDocument>? Tags { get; set; }
    }

    private sealed class FaultDocument
    {
        public double PerHourRunning { get; set; }

        public double[]? RepairSeconds { get; set; }

        public List<AlarmDocument>? Alarms { get; set; }
    }

    private sealed class AlarmDocument
    {
        public long Code { get; set; }

        public string? Text { get; set; }
    }

    private sealed class StateDocument
    {
        public double[]? Duration { get; set; }

        public Dictionary<string, double>? Next { get; set; }
    }

    private sealed class TagDocument
    {
        public string? Name { get; set; }

        public string? Unit { get; set; }

        public string? Type { get; set; }

        public string? Signal { get; set; }

        public Dictionary<string, double>? Target { get; set; }

        public double? TauSeconds { get; set; }

        public double? Noise { get; set; }

        public double? Min { get; set; }

        public double? Initial { get; set; }

        public double? Base { get; set; }

        public double? Peak { get; set; }

        public double? Duty { get; set; }
    }
#pragma warning restore CA1812, CA1819, CA2227
}
