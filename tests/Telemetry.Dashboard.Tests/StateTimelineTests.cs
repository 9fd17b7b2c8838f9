using Telemetry.Dashboard.Availability;

namespace Telemetry.Dashboard.Tests;

public class StateTimelineTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 1_800_000_000L * Second;

    [Fact]
    public void Record_SameStateAgain_KeepsOneChange()
    {
        var timeline = new StateTimeline();
        timeline.Record("s/a/l/m", "running", T0);
        timeline.Record("s/a/l/m", "running", T0 + Second);
        timeline.Record("s/a/l/m", "fault", T0 + (2 * Second));

        Assert.Equal([new StateChange("running", T0), new StateChange("fault", T0 + (2 * Second))], timeline.Changes("s/a/l/m"));
    }

    [Fact]
    public void Record_LateSample_MovedUpToKeepTimeOrder()
    {
        var timeline = new StateTimeline();
        timeline.Record("m", "running", T0 + (10 * Second));
        timeline.Record("m", "fault", T0);

        Assert.Equal(T0 + (10 * Second), timeline.Changes("m")[1].FromNs);
    }

    [Fact]
    public void Record_OlderThanKeepFor_ForgottenButChangeInForceAtCutKept()
    {
        var timeline = new StateTimeline();
        var keep = StateTimeline.KeepFor.Ticks * 100;
        timeline.Record("m", "idle", T0);
        timeline.Record("m", "running", T0 + Second);
        timeline.Record("m", "fault", T0 + keep + (5 * Second));

        var changes = timeline.Changes("m");

        Assert.Equal(2, changes.Count);
        Assert.Equal("running", changes[0].State);
    }

    [Fact]
    public void Record_ManyChanges_CappedPerMachine()
    {
        var timeline = new StateTimeline();
        for (var i = 0; i < StateTimeline.MaxChangesPerMachine + 10; i++)
        {
            timeline.Record("m", i % 2 == 0 ? "running" : "fault", T0 + i);
        }

        Assert.Equal(StateTimeline.MaxChangesPerMachine, timeline.Changes("m").Count);
        Assert.Empty(timeline.Changes("other"));
    }
}
