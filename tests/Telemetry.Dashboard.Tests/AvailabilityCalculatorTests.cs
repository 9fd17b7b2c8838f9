using Telemetry.Dashboard.Availability;

namespace Telemetry.Dashboard.Tests;

public class AvailabilityCalculatorTests
{
    private const long Minute = 60_000_000_000L;
    private const long Start = 1_000 * Minute;

    private static StateChange At(long minutes, string state) => new(state, Start + (minutes * Minute));

    [Fact]
    public void Compute_RunningWithTwoFaults_GivesAvailabilityMtbfAndMttr()
    {
        // 0-50 running, 50-60 fault, 60-100 running, 100-110 fault, 110-120 running: window 120 min.
        var changes = new[] { At(0, "running"), At(50, "fault"), At(60, "running"), At(100, "fault"), At(110, "running") };

        var f = AvailabilityCalculator.Compute(changes, Start, Start + (120 * Minute));

        Assert.Equal(120 * Minute, f.PlannedNs);
        Assert.Equal(100 * Minute, f.RunningNs);
        Assert.Equal(20 * Minute, f.FaultNs);
        Assert.Equal(2, f.Faults);
        Assert.Equal(100.0 / 120, f.Availability!.Value, 9);
        Assert.Equal(50 * Minute, f.MtbfNs);
        Assert.Equal(10 * Minute, f.MttrNs);
    }

    [Fact]
    public void Compute_OffTime_IsNotPlannedButIdleAndSetupAre()
    {
        var changes = new[] { At(0, "off"), At(30, "setup"), At(40, "running"), At(70, "idle"), At(80, "off") };

        var f = AvailabilityCalculator.Compute(changes, Start, Start + (90 * Minute));

        Assert.Equal(50 * Minute, f.PlannedNs);
        Assert.Equal(30 * Minute, f.RunningNs);
        Assert.Equal(0.6, f.Availability!.Value, 9);
        Assert.Equal(0, f.Faults);
        Assert.Null(f.MtbfNs);
        Assert.Null(f.MttrNs);
    }

    [Fact]
    public void Compute_ChangesBeforeWindow_ClippedAndFaultInForceAtStartCountsOnce()
    {
        // A fault from before midnight lasts until 5 min into the window.
        var changes = new[] { At(-300, "running"), At(-20, "fault"), At(5, "running") };

        var f = AvailabilityCalculator.Compute(changes, Start, Start + (60 * Minute));

        Assert.Equal(Start, f.ObservedFromNs);
        Assert.Equal(60 * Minute, f.PlannedNs);
        Assert.Equal(5 * Minute, f.FaultNs);
        Assert.Equal(1, f.Faults);
        Assert.Equal(55 * Minute, f.MtbfNs);
        Assert.Equal(5 * Minute, f.MttrNs);
    }

    [Fact]
    public void Compute_FirstChangeInsideWindow_TimeBeforeItIsUnknownAndNotCounted()
    {
        var changes = new[] { At(30, "running") };

        var f = AvailabilityCalculator.Compute(changes, Start, Start + (60 * Minute));

        Assert.Equal(Start + (30 * Minute), f.ObservedFromNs);
        Assert.Equal(30 * Minute, f.PlannedNs);
        Assert.Equal(1.0, f.Availability);
    }

    [Fact]
    public void Compute_NoChanges_GivesNullFigures()
    {
        var f = AvailabilityCalculator.Compute([], Start, Start + Minute);

        Assert.Equal(0, f.PlannedNs);
        Assert.Null(f.Availability);
        Assert.Null(f.MtbfNs);
        Assert.Null(f.MttrNs);
    }

    [Fact]
    public void Compute_ChangesAfterWindowEnd_AreIgnored()
    {
        var changes = new[] { At(0, "running"), At(90, "fault") };

        var f = AvailabilityCalculator.Compute(changes, Start, Start + (60 * Minute));

        Assert.Equal(0, f.Faults);
        Assert.Equal(60 * Minute, f.RunningNs);
    }

    [Fact]
    public void Compute_WindowEndsBeforeStart_ThrowsNamingTheParameter()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => AvailabilityCalculator.Compute([], Start, Start - 1));
        Assert.Equal("windowEndNs", ex.ParamName);
    }

    [Fact]
    public void StartOfDayNs_FixedOffsetZone_IsLocalMidnight()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2");
        var now = new DateTimeOffset(2026, 12, 1, 22, 30, 0, TimeSpan.Zero); // 00:30 on Dec 2 at +02:00

        var start = AvailabilityCalculator.StartOfDayNs(now, zone);

        Assert.Equal(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.FromHours(2)).ToUnixTimeMilliseconds() * 1_000_000, start);
    }
}
