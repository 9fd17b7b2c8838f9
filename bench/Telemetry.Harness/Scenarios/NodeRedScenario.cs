using Telemetry.Harness.Rig;
using Telemetry.NodeRedAnchor;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Scenarios;

/// <summary>What the anchor (Node-RED) did with the same load.</summary>
public sealed record AnchorResult(string Name, string Description, double Seconds, long Offered, long Stored, double CpuSecondsPerMillion, double PeakRssMiB, long Errors)
{
    public double SamplesPerSecond => Seconds > 0 ? Stored / Seconds : 0;

    public double StoredFraction => Offered > 0 ? (double)Stored / Offered : 0;
}

/// <summary>
/// The usual small-plant setup on the same load: Node-RED 5 with node-red-contrib-opcua and node-red-contrib-influxdb
/// (bench/Telemetry.NodeRedAnchor) subscribed to the same simulated PLC (same items, same change rate) writing into
/// a real InfluxDB 1.x, measured over the same window length.
/// </summary>
public static class NodeRedScenario
{
    public const string Name = "nodered";

    public static async Task<AnchorResult> RunAsync(HarnessSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        log.WriteLine($"[{Name}] starting InfluxDB 1.x, the PLC ({settings.Items:N0} items every {settings.LoadMs} ms) and Node-RED");
        await using var influx = await InfluxDbPeer.StartAsync(cancellationToken);
        await using var plc = await PlcProcess.StartAsync(settings.Items, settings.LoadMs, cancellationToken);
        var sampling = TimeSpan.FromMilliseconds(settings.LoadMs);
        var result = await NodeRedAnchor.NodeRedAnchor.RunAsync(new NodeRedRunOptions
        {
            OpcUaEndpoint = plc.EndpointUrl,
            NodeIds = [.. Enumerable.Range(0, settings.Items).Select(PlcProcess.NodeId)],
            SamplingInterval = sampling,
            InfluxUrl = influx.BaseAddress,
            Duration = settings.Before,
            Warmup = settings.Warmup,
        }, cancellationToken);
        var offered = NodeRedResult.ExpectedSamples(result.Items, sampling, sampling, result.Window);
        var anchor = new AnchorResult(Name, $"Node-RED 5 (contrib opcua → influxdb), {result.Items:N0} items at {1000 / settings.LoadMs} Hz",
            result.Window.TotalSeconds, offered, result.SamplesStored, result.CpuSecondsPerMillionSamples, result.PeakRssBytes / 1048576.0, result.Errors);
        log.WriteLine($"[{Name}] offered {anchor.Offered:N0}, stored {anchor.Stored:N0} ({anchor.StoredFraction:P0}), {anchor.SamplesPerSecond:N0} samples/s, {anchor.CpuSecondsPerMillion:0.0} CPU s per M, peak RSS {anchor.PeakRssMiB:0} MiB, errors {anchor.Errors}");
        return anchor;
    }
}
