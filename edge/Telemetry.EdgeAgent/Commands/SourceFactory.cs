using Telemetry.Core;
using Telemetry.Edge.Checks;
using Microsoft.Extensions.Logging;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.Mqtt;
using Telemetry.Edge.OpcUa;
using Telemetry.Simulator;
using Telemetry.Simulator.Profiles;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>Builds the sources a config names, and the probe `check` runs for each.</summary>
public static class SourceFactory
{
    /// <summary>One source (the runtime's <see cref="Telemetry.Edge.Hosting.SourceBuilder"/>, also for reloads).</summary>
    public static ISampleSource Build(EdgeConfig config, SourceConfig source, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(loggers);
        return source switch
        {
            SimulatorSourceConfig sim => CreateSimulator(config.Site, sim),
            MqttSourceConfig mqtt => new MqttSource(mqtt.Options, loggers.CreateLogger($"Telemetry.Edge.Mqtt.{mqtt.Name}")),
            MqttBrokerSourceConfig broker => new EmbeddedMqttBroker(broker.Options, loggers.CreateLogger($"Telemetry.Edge.Mqtt.{broker.Name}")),
            // the session state next to the spool: an agent restarted after a crash takes the PLC's subscriptions over
            OpcUaSourceConfig opcua => new OpcUaSource(opcua.Options with { LoggerFactory = loggers, ResumeStateDirectory = Path.Combine(config.DataDirectory, "opcua-sessions") }),
            _ => throw source.Location.Error($"source type '{source.Type}' is not available in this build."),
        };
    }

    public static IConnectivityProbe Probe(EdgeConfig config, SourceConfig source, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(source);
        return source switch
        {
            SimulatorSourceConfig sim => new SimulatorProbe(CreateSimulator(config.Site, sim)),
            MqttSourceConfig mqtt => MqttProbe(mqtt.Options, timeout),
            MqttBrokerSourceConfig broker => new SourceRunProbe(
                new EmbeddedMqttBroker(broker.Options),
                $"listen {broker.Options.ListenAddress}:{broker.Options.Port}",
                broker.Options.ListenAddress,
                broker.Options.Port,
                broker.Options.AllowAnonymous ? "anonymous allowed" : $"{broker.Options.Users.Count} user(s)",
                timeout,
                TimeSpan.Zero),
            OpcUaSourceConfig opcua => new OpcUaProbe(opcua.Options, timeout),
            _ => throw source.Location.Error($"source type '{source.Type}' is not available in this build."),
        };
    }

    /// <summary>Its own client id and a clean session, so the check never takes over the running agent's session.</summary>
    private static SourceRunProbe MqttProbe(MqttSourceOptions options, TimeSpan timeout)
    {
        var probe = options with
        {
            ClientId = options.ClientId + "-check",
            CleanStart = true,
            SessionExpiry = null,
            ConnectTimeout = timeout,
            ReconnectMinDelay = timeout,
            ReconnectMaxDelay = timeout,
        };
        var scheme = options.Tls is null ? "mqtt" : "mqtts";
        var security = options.Tls is null ? "none (plain TCP)" : "TLS" + (options.Tls.ClientCertificateFile is null ? string.Empty : " + client cert");
        if (options.UserName is not null)
        {
            security += ", user " + options.UserName;
        }

        return new SourceRunProbe(new MqttSource(probe), $"{scheme}://{options.Host}:{options.Port}", options.Host, options.Port, security, timeout);
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

    /// <summary>A simulated plant is always reachable: the probe plays one step and shows what it would send.</summary>
    private sealed class SimulatorProbe(PlantSimulator simulator) : IConnectivityProbe
    {
        public string What => $"source {simulator.Name} (simulator)";

        public string Target => $"{simulator.Machines.Count} simulated machine(s)";

        public Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
        {
            using var batch = new SampleBatch();
            simulator.Tick(batch, 1, UnixTime.Now(TimeProvider.System));
            var sample = string.Join(", ", batch.Samples.ToArray().Take(3).Select(s => $"{s.Path.Machine}/{s.Path.Tag}={s.Value}"));
            return Task.FromResult(new ProbeResult { Ok = true, Security = "-", TagCount = batch.Count, Latency = TimeSpan.Zero, Sample = sample });
        }
    }
}
