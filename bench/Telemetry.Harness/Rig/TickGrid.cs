namespace Telemetry.Harness.Rig;

/// <summary>
/// The load's clock: tick = floor((now − 2026-01-01) / loadMs), stamped with the tick's grid time, the same grid the
/// PLC's --clock-grid uses, so every sample of every load is (machine, tag, tick) with a known timestamp.
/// </summary>
public sealed record TickGrid(int LoadMs)
{
    public static readonly long BaseMs = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The grid time (Unix ms) of a tick.</summary>
    public long TickTimeMs(long tick) => BaseMs + (tick * LoadMs);

    /// <summary>The last tick at or before a Unix ms time.</summary>
    public long TickAt(long unixMs) => (unixMs - BaseMs) / LoadMs;
}
