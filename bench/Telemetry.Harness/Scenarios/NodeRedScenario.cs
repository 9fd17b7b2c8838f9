using Telemetry.Harness.Rig;
using Telemetry.NodeRedAnchor;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Scenarios;

/// <summary>
/// What the anchor (Node-RED) did with the same load. <see cref="Stored"/>: points it wrote during the window (each a
/// distinct (item, source time)); <see cref="Offered"/> minus that is what it did not get to (the PLC discarded them).
/// </summary>
public sealed record AnchorResult(string Name, string Description, double Seconds, long Offered, long Stored, double CpuSecondsPerMillion, double PeakRssMiB, long Errors)
{
    public double SamplesPerSecond => Seconds > 0 ? Stored / Seconds : 0;

    /// <summary>Points stored (by the window's end + drain) whose source time lies in the window: 0 when it lags more than the window.</summary>
    public long StoredOfWindow { get; init; }

    /// <summary>Window end minus the newest source time stored by then.</summary>
    public TimeSpan Lag { get; init; }

    /// <summary>Changes received in the window that carried the OPC UA Overflow bit (the PLC discarded older values of that item).</summary>
    public long Overflows { get; init; }

    /// <summary>From starting Node-RED until every item had been stored once.</summary>
    public TimeSpan Startup { get; init; }

    /// <summary>From starting Node-RED until the flow had sent its last subscribe message.</summary>
    public TimeSpan? SubscribeSent { get; init; }

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
            // The stock client creates one monitored item per message, one call each: ~30 items/s on a loaded machine
            // (5,000 items had 1,905 stored once after 3 min), so the wait until every item has been stored grows with them.
            ReadyTimeout = TimeSpan.FromMinutes(3) + TimeSpan.FromMilliseconds(60.0 * settings.Items),
            Logger = new TextWriterLogger(log, Name),
            OutputFile = Path.Combine(settings.OutDirectory, "nodered.log"),
        }, cancellationToken);
        var offered = NodeRedResult.ExpectedSamples(result.Items, sampling, sampling, result.Window);
        // Node-RED's stored rate is what it wrote during the window (PointsArrived): node-opcua's server harvests the
        // items' queues (10 values each, discard oldest) only when its pending list is empty and the stock client asks
        // for 10 notifications per publish, so Node-RED stores bursts of older values and its lag saws up to
        // items x 10 / rate seconds; counting by source time in the window gives 0 whenever that exceeds the window.
        var anchor = new AnchorResult(Name, $"Node-RED 5 (contrib opcua → influxdb), {result.Items:N0} items at {1000 / settings.LoadMs} Hz",
            result.Window.TotalSeconds, offered, result.PointsArrived, result.CpuSecondsPerMillionSamples, result.PeakRssBytes / 1048576.0, result.Errors)
        {
            StoredOfWindow = result.SamplesStored,
            Lag = result.LagAtWindowEnd,
            Overflows = result.OverflowsReceived,
            Startup = result.StartupTime,
            SubscribeSent = result.SubscribeSentTime,
        };
        log.WriteLine($"[{Name}] offered {anchor.Offered:N0}, stored during the window {anchor.Stored:N0} ({anchor.StoredFraction:P0}), {anchor.SamplesPerSecond:N0} samples/s, "
            + $"{anchor.StoredOfWindow:N0} of them with a source time in the window, {anchor.Lag.TotalSeconds:0.0} s behind at its end, {anchor.Overflows:N0} changes with the Overflow bit, "
            + $"{anchor.CpuSecondsPerMillion:0.0} CPU s per M, peak RSS {anchor.PeakRssMiB:0} MiB, errors {anchor.Errors}; subscribed after {anchor.SubscribeSent?.TotalSeconds:0.0} s, every item stored after {anchor.Startup.TotalSeconds:0.0} s");
        return anchor;
    }
}
