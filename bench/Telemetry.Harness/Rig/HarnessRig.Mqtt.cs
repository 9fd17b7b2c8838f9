using System.Globalization;
using Telemetry.Harness.Measure;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Rig;

/// <summary>The MQTT load of a rig: Mosquitto, the edge's `mqtt` source on it, a JSON fleet and a Sparkplug B fleet.</summary>
public sealed partial class HarnessRig
{
    /// <summary>Tags per MQTT machine (t000…); the machines per format follow from the item count.</summary>
    public const int MqttTags = 20;

    public const string BrokerRole = "broker (Mosquitto)";

    /// <summary>JSON machines j000…, Sparkplug devices s000…: half the items each, <see cref="MqttTags"/> tags per machine.</summary>
    public static int MqttMachinesPerFormat(HarnessSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Math.Max(1, settings.Items / (2 * MqttTags));
    }

    /// <summary>
    /// Mosquitto with persistence on (sessions and queued QoS 1 messages saved every second: what survives a kill -9),
    /// unlimited queues, then the edge subscribed to it, then the device fleets.
    /// </summary>
    private async Task<ProcessMeter> StartMqttLoadAsync(HarnessSettings settings, int datacenterPort, SpoolBudget? spool, CancellationToken cancellationToken)
    {
        if (spool is not null)
        {
            throw new NotSupportedException("A spool budget is only set up for the OPC UA load.");
        }

        // HARNESS_MOSQUITTO_PERSISTENCE=false: a broker that keeps nothing across a kill (what such a setup loses).
        var persistence = !string.Equals(Environment.GetEnvironmentVariable("HARNESS_MOSQUITTO_PERSISTENCE"), "false", StringComparison.OrdinalIgnoreCase);
        Broker = await MosquittoPeer.StartAsync(persistence: persistence, cancellationToken: cancellationToken);
        var broker = Broker;
        Edge = await EdgeProcess.StartAsync((web, data) => MqttEdgeConfigWriter.Write(web, data, datacenterPort, broker.Port), cancellationToken);
        var count = MqttMachinesPerFormat(settings);
        var tags = Enumerable.Range(0, MqttTags).Select(EdgeConfigWriter.TagOf).ToList();
        var json = Enumerable.Range(0, count).Select(i => $"j{i.ToString("D3", CultureInfo.InvariantCulture)}").ToList();
        var sparkplug = Enumerable.Range(0, count).Select(i => $"s{i.ToString("D3", CultureInfo.InvariantCulture)}").ToList();
        Series = [.. json.Concat(sparkplug).SelectMany(m => tags.Select(t => (m, t)))];
        Publishers =
        [
            new MqttLoadPublisher(MqttLoadFormat.Json, broker.Host, broker.Port, json, tags, Grid),
            new MqttLoadPublisher(MqttLoadFormat.SparkplugB, broker.Host, broker.Port, sparkplug, tags, Grid),
        ];
        return new ProcessMeter(BrokerRole, () => broker.Process.HasExited ? null : broker.Process.ProcessId);
    }
}
