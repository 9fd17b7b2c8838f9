using Telemetry.Core;
using Telemetry.Simulator.Machines;
using Telemetry.Simulator.Profiles;

namespace Telemetry.Simulator;

/// <summary>One machine of a simulated plant: which profile it plays and where it stands.</summary>
public sealed record SimulatedMachineSpec(string ProfileKind, AssetPath MachinePath);

public sealed record PlantSimulatorOptions
{
    public required IReadOnlyList<SimulatedMachineSpec> Machines { get; init; }

    /// <summary>How often every machine emits one sample per tag.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Plant seconds per wall-clock second (states and faults run faster in a demo when above 1).</summary>
    public double Speed { get; init; } = 1;

    public int Seed { get; init; } = 42;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public string Name { get; init; } = "simulator";

    /// <summary>Profiles by kind; the built-in ones (hardware/profiles) by default.</summary>
    public IReadOnlyDictionary<string, MachineProfile> Profiles { get; init; } = ProfileLoader.BuiltIn;
}

/// <summary>
/// Plays simulated machines in process: every <see cref="PlantSimulatorOptions.Interval"/> each machine steps and
/// writes one sample per tag into the sink. The edge's "simulator" source and the demo plant.
/// </summary>
public sealed class PlantSimulator : ISampleSource
{
    private readonly PlantSimulatorOptions _options;
    private readonly Dictionary<string, SimulatedMachine> _byName = new(StringComparer.Ordinal);
    private long _samples;
    private long _lastSampleNs;
    private SourceLinkState _state = SourceLinkState.Starting;

    public PlantSimulator(PlantSimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Interval <= TimeSpan.Zero)
        {
            throw new ArgumentException("The simulator interval must be positive.", nameof(options));
        }

        _options = options;
        var seed = options.Seed;
        foreach (var spec in options.Machines)
        {
            if (!options.Profiles.TryGetValue(spec.ProfileKind, out var profile))
            {
                throw new ArgumentException(
                    $"Machine '{spec.MachinePath.Machine}': no profile '{spec.ProfileKind}'. Known profiles: {string.Join(", ", options.Profiles.Keys)}.",
                    nameof(options));
            }

            var machine = new SimulatedMachine(profile, spec.MachinePath, seed++);
            if (!_byName.TryAdd(spec.MachinePath.Machine, machine))
            {
                throw new ArgumentException($"Machine '{spec.MachinePath.Machine}' is listed twice.", nameof(options));
            }
        }
    }

    public string Name => _options.Name;

    public string Kind => "simulator";

    public IReadOnlyCollection<SimulatedMachine> Machines => _byName.Values;

    public SimulatedMachine? FindMachine(string name) => _byName.GetValueOrDefault(name);

    public SourceHealth GetHealth() => new(
        Name, Kind, _state, Interlocked.Read(ref _samples), Interlocked.Read(ref _lastSampleNs), null);

    /// <summary>Steps every machine once and writes their samples (used by the run loop and by tests).</summary>
    public void Tick(SampleBatch batch, double plantSeconds, long timeNs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var machine in _byName.Values)
        {
            machine.Step(plantSeconds);
            machine.WriteSamples(batch, timeNs);
        }
    }

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var time = _options.TimeProvider;
        using var batch = new SampleBatch(256);
        var last = time.GetTimestamp();
        _state = SourceLinkState.Connected;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = time.GetTimestamp();
                var elapsed = time.GetElapsedTime(last, now).TotalSeconds;
                last = now;
                var timeNs = UnixTime.Now(time);
                batch.Clear();
                Tick(batch, elapsed * _options.Speed, timeNs);
                if (batch.Count > 0)
                {
                    await sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _samples, batch.Count);
                    Interlocked.Exchange(ref _lastSampleNs, timeNs);
                }

                var spent = time.GetElapsedTime(now);
                var wait = _options.Interval - spent;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _state = SourceLinkState.Disconnected;
        }

    }
}
