using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Faults;

/// <summary>
/// Mosquitto killed (-9) under the MQTT load and started again after the downtime on the same port and persistence
/// folder. The devices keep what got no PUBACK and send it again; the edge reconnects with its persistent session
/// (resubscribing if the broker lost it). Nothing is "not observable": every tick was offered, so every missing one
/// is lost.
/// </summary>
public sealed class MosquittoRestartFault : Fault
{
    public override string Name => "mosquitto-restart";

    public override HarnessLoad Load => HarnessLoad.Mqtt;

    public override string Describe(HarnessSettings settings) => $"Mosquitto kill -9 under the MQTT load (JSON + Sparkplug B), back after {settings.Downtime.TotalSeconds:0} s";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        var broker = rig.Broker ?? throw new InvalidOperationException("mosquitto-restart needs the MQTT rig.");
        var resentBefore = rig.Publishers.Sum(p => p.Resent);
        broker.Kill();
        await Task.Delay(settings.Downtime, cancellationToken);
        await broker.RestartAsync(cancellationToken);
        var restarted = NowMs();
        var fresh = await WaitFreshAsync(rig, restarted, settings.DrainTimeout, cancellationToken);
        var queued = string.Join(", ", rig.Publishers.Select(p => $"{p.Format} peak queue {p.MaxQueued:N0} msgs"));
        return new FaultOutcome(restarted, [],
            $"fresh samples live {(fresh - restarted) / 1000.0:0.0} s after the broker was back; {rig.Publishers.Sum(p => p.Resent) - resentBefore:N0} messages re-sent by the devices; {queued}");
    }
}
