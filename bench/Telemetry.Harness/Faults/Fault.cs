using Telemetry.Harness.Check;
using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Faults;

/// <summary>How a fault went: when it was repaired, and which ticks nobody could have observed (a source or the edge down).</summary>
public sealed record FaultOutcome(long RepairedAtMs, IReadOnlyList<TickWindow> NotObservable, string Note);

/// <summary>One fault injected under load; the runner measures before, during and after it and checks the store.</summary>
public abstract class Fault
{
    /// <summary>The scenario's name on the command line (--scenario NAME).</summary>
    public abstract string Name { get; }

    public abstract string Describe(HarnessSettings settings);

    /// <summary>The load of this scenario (the spool budget scenario needs more to fill its disk in reasonable time).</summary>
    public virtual HarnessSettings Adjust(HarnessSettings settings) => settings;

    /// <summary>A spool budget for this scenario's edge, or null for the default.</summary>
    public virtual SpoolBudget? Spool => null;

    /// <summary>What feeds the edge under this fault (the OPC UA PLC unless the fault is about MQTT).</summary>
    public virtual HarnessLoad Load => HarnessLoad.OpcUa;

    /// <summary>Injects the fault, holds it, repairs it; returns once repaired.</summary>
    public abstract Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken);

    internal static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Waits until the edge's sources are connected again and fresh samples (source time after <paramref name="sinceMs"/>) reach the live API.</summary>
    internal static async Task<long> WaitFreshAsync(HarnessRig rig, long sinceMs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (rig.Live.NewestSourceTimeMs > sinceMs && await rig.Edge.StatusAsync(cancellationToken) is { SourcesConnected: true })
            {
                return NowMs();
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"no fresh samples reached the live API within {timeout} after the repair. Edge: {rig.Edge.Output}");
    }

    /// <summary>The ticks from <paramref name="fromMs"/> − 1 s to <paramref name="toMs"/> + 2 s: what an absent OPC UA client cannot get back.</summary>
    protected static TickWindow Window(HarnessRig rig, long fromMs, long toMs, string why) =>
        new(rig.Grid.TickAt(fromMs - 1000), rig.Grid.TickAt(toMs + 2000), why);
}
