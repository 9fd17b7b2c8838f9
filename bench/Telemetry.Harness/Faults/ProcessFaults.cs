using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Faults;

/// <summary>telemetry-ingest killed (-9) and started again after the downtime.</summary>
public sealed class IngestRestartFault : Fault
{
    public override string Name => "ingest-restart";

    public override string Describe(HarnessSettings settings) => $"telemetry-ingest kill -9, back after {settings.Downtime.TotalSeconds:0} s";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        rig.Ingest.Kill();
        await Task.Delay(settings.Downtime, cancellationToken);
        await rig.Ingest.StartAgainAsync(cancellationToken);
        return new FaultOutcome(NowMs(), [], string.Empty);
    }
}

/// <summary>
/// telemetry-edge killed (-9) and started again on the same spool. What it had accepted must all arrive; what the PLC
/// produced while no client was subscribed is "not observed" (OPC UA keeps no history for an absent client).
/// </summary>
public sealed class EdgeKillFault : Fault
{
    public override string Name => "edge-kill";

    public override string Describe(HarnessSettings settings) => $"telemetry-edge kill -9, back after {settings.Downtime.TotalSeconds:0} s on the same spool";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        var killedAt = NowMs();
        rig.Edge.Kill();
        await Task.Delay(settings.Downtime, cancellationToken);
        await rig.Edge.StartAgainAsync(cancellationToken);
        var restarted = NowMs();
        var fresh = await WaitFreshAsync(rig, restarted, settings.DrainTimeout, cancellationToken);
        return new FaultOutcome(restarted, [Window(rig, killedAt, fresh, "edge down")], $"resubscribed {(fresh - restarted) / 1000.0:0.0} s after the restart");
    }
}

/// <summary>The PLC killed (-9) and started again; the edge must reconnect and resubscribe by itself.</summary>
public sealed class PlcRestartFault : Fault
{
    public override string Name => "plc-restart";

    public override string Describe(HarnessSettings settings) => $"PLC (node-opcua) kill -9, back after {settings.Downtime.TotalSeconds:0} s";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        var killedAt = NowMs();
        rig.Plc.Kill();
        await Task.Delay(settings.Downtime, cancellationToken);
        await rig.Plc.StartAgainAsync(cancellationToken);
        var restarted = NowMs();
        var fresh = await WaitFreshAsync(rig, restarted, settings.DrainTimeout, cancellationToken);
        return new FaultOutcome(restarted, [Window(rig, killedAt, fresh, "PLC down / edge reconnecting")], $"edge resubscribed {(fresh - restarted) / 1000.0:0.0} s after the PLC was back");
    }
}
