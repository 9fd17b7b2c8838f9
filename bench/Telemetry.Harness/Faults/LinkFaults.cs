using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Faults;

/// <summary>The store unreachable from the ingest (connections reset and refused) for a while.</summary>
public sealed class StoreDownFault : Fault
{
    public override string Name => "store-down";

    public override string Describe(HarnessSettings settings) => $"VictoriaMetrics unreachable from the ingest for {settings.StoreDown.TotalSeconds:0} s";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        rig.StoreLink.Refuse();
        await Task.Delay(settings.StoreDown, cancellationToken);
        rig.StoreLink.Pass();
        return new FaultOutcome(NowMs(), [], string.Empty);
    }
}

/// <summary>The datacenter black-holed (nothing passes, nothing is refused), then a slow WAN (200 ms, 1 Mbit/s), then healthy.</summary>
public sealed class NetworkFault : Fault
{
    public const long OneMegabitBytesPerSecond = 125_000;

    public override string Name => "network";

    public override string Describe(HarnessSettings settings) =>
        $"edge→datacenter black-holed {settings.Blackhole.TotalSeconds:0} s, then 200 ms + 1 Mbit/s for {settings.SlowLink.TotalSeconds:0} s";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        rig.EdgeLink.Blackhole();
        await Task.Delay(settings.Blackhole, cancellationToken);
        var before = rig.EdgeLink.BytesUp;
        rig.EdgeLink.Slow(TimeSpan.FromMilliseconds(200), OneMegabitBytesPerSecond);
        await Task.Delay(settings.SlowLink, cancellationToken);
        var slowBytes = rig.EdgeLink.BytesUp - before;
        rig.EdgeLink.Pass();
        return new FaultOutcome(NowMs(), [], $"{slowBytes / settings.SlowLink.TotalSeconds / 1000:0} kB/s up the slow link");
    }
}

/// <summary>
/// The spool's disk budget exhausted: the datacenter refused long enough for drop-oldest to delete whole segments.
/// The loss must be exactly what the edge reports as dropped (and nothing else).
/// </summary>
public sealed class SpoolFullFault : Fault
{
    public override string Name => "spool-full";

    public override SpoolBudget Spool => new("64MiB", "1MiB");

    /// <summary>
    /// 2x the items (the smallest budget the edge accepts is 64 MiB: at the base load, ~13 B per sample on disk, it
    /// takes ~8 minutes to fill; at 2x ~4). Not 5x: 5,000 items at 10 Hz is node-opcua's own limit on one core, and
    /// there the run measured the PLC (its event loop stopped reading new connections) instead of the spool.
    /// </summary>
    public override HarnessSettings Adjust(HarnessSettings settings) => settings with { Items = settings.Items * 2 };

    public override string Describe(HarnessSettings settings) => "datacenter refused until the 64 MiB spool dropped its oldest segments";

    public override async Task<FaultOutcome> RunAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        rig.EdgeLink.Refuse();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(settings.Short ? 8 : 15);
        long dropped = 0;
        while (DateTime.UtcNow < deadline && dropped == 0)
        {
            await Task.Delay(1000, cancellationToken);
            dropped = (await rig.Edge.StatusAsync(cancellationToken))?.SamplesDropped ?? 0;
        }

        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        rig.EdgeLink.Pass();
        return new FaultOutcome(NowMs(), [], dropped == 0 ? "the spool never filled within the time limit" : string.Empty);
    }
}
