using Telemetry.Core;
using Telemetry.Edge.Configuration;
using Telemetry.Simulator;
using Telemetry.Simulator.Profiles;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>Builds the sources a config names (simulator here; OPC UA and MQTT join as they land).</summary>
public static class SourceFactory
{
    public static IReadOnlyList<ISampleSource> Create(EdgeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var sources = new List<ISampleSource>();
        foreach (var source in config.Sources)
        {
            sources.Add(source switch
            {
                SimulatorSourceConfig sim => CreateSimulator(config.Site, sim),
                _ => throw source.Location.Error($"source type '{source.Type}' is not available in this build."),
            });
        }

        return sources;
    }

    private static PlantSimulator CreateSimulator(string site, SimulatorSourceConfig sim)
    {
        var machines = new List<SimulatedMachineSpec>();
        foreach (var m in sim.Machines)
        {
            if (!ProfileLoader.BuiltIn.ContainsKey(m.Profile))
            {
                throw m.ProfileLocation.Error($"'{m.Profile}' is not a machine profile; expected one of: {string.Join(", ", ProfileLoader.BuiltIn.Keys.Order(StringComparer.Ordinal))}.");
            }

            machines.Add(new SimulatedMachineSpec(m.Profile, new AssetPath(site, m.Area, m.Line, m.Name, "state")));
        }

        return new PlantSimulator(new PlantSimulatorOptions
        {
            Machines = machines,
            Interval = sim.Interval,
            Speed = sim.Speed,
            Seed = sim.Seed,
            Name = sim.Name,
        });
    }
}
