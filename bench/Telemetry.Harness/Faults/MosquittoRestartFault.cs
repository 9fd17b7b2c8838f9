using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Faults;

/// <summary>
/// Mosquitto restarted under the MQTT load, the way an operator or a package upgrade does it (`systemctl restart`:
/// SIGTERM, so the broker saves its sessions and queues), back after the downtime on the same port and persistence
/// folder. The devices keep what got no PUBACK and send it again; the edge reconnects with its persistent session
/// (resubscribing if the broker lost it). Nothing is "not observable": every tick was offered, so every missing one
/// is lost. <see cref="MosquittoCrashFault"/> is the kill -9 case.
/// </summary>
public sealed class MosquittoRestartFault : Fault
{
    public override string Name => "mosquitto-restart";

    public override HarnessLoad Load => HarnessLoad.Mqtt;

    public override string Describe(HarnessSettings settings) => $"Mosquitto restarted (SIGTERM) under the MQTT load (JSON + Sparkplug B), back after {settings.Downtime.TotalSeconds:0} s";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        var broker = rig.Broker ?? throw new InvalidOperationException($"{Name} needs the MQTT rig.");
        return await BrokerOutage.RunAsync(rig, settings, () => broker.StopAsync(cancellationToken), cancellationToken);
    }
}

/// <summary>
/// Mosquitto killed (-9) under the MQTT load and started again on the same folder. Mosquitto acknowledges a QoS 1
/// PUBLISH before it saves it (every `autosave_interval`, 1 s here), so what it acknowledged since its last save dies
/// with it: the devices do not re-send it and no subscriber can fetch it. The row reports that loss as the broker's;
/// nothing after the restart may be lost.
/// </summary>
public sealed class MosquittoCrashFault : Fault
{
    public override string Name => "mosquitto-crash";

    public override HarnessLoad Load => HarnessLoad.Mqtt;

    public override string Describe(HarnessSettings settings) => $"Mosquitto kill -9 under the MQTT load (JSON + Sparkplug B), back after {settings.Downtime.TotalSeconds:0} s";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        var broker = rig.Broker ?? throw new InvalidOperationException($"{Name} needs the MQTT rig.");
        return await BrokerOutage.RunAsync(rig, settings, () => { broker.Kill(); return Task.CompletedTask; }, cancellationToken);
    }
}

/// <summary>The broker taken down one way or the other, kept down for the downtime, started again, then measured.</summary>
internal static class BrokerOutage
{
    public static async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, Func<Task> takeDown, CancellationToken cancellationToken)
    {
        var broker = rig.Broker!;
        var resentBefore = rig.Publishers.Sum(p => p.Resent);
        await takeDown();
        await Task.Delay(settings.Downtime, cancellationToken);
        await broker.RestartAsync(cancellationToken);
        var restarted = Fault.NowMs();
        var fresh = await Fault.WaitFreshAsync(rig, restarted, settings.DrainTimeout, cancellationToken);
        var queued = string.Join(", ", rig.Publishers.Select(p => $"{p.Format} peak queue {p.MaxQueued:N0} msgs"));
        return new FaultOutcome(restarted, [],
            $"fresh samples live {(fresh - restarted) / 1000.0:0.0} s after the broker was back; {rig.Publishers.Sum(p => p.Resent) - resentBefore:N0} messages re-sent by the devices; {queued}");
    }
}
