using Telemetry.Core;
using Telemetry.Dashboard.Availability;
using Telemetry.Edge.Live;

namespace Telemetry.Edge.Tests;

/// <summary>The live view's state timeline: what the edge's `GET /api/availability` computes today's figures from.</summary>
public class LiveViewStatesTests
{
    private static readonly AssetPath State = new("s", "a", "l", "m1", "state");

    private static Sample At(AssetPath path, SampleValue value, long ns) => new(path, ns, value, Quality.Good, ns);

    [Fact]
    public void Apply_StateSamples_RecordsEachChangeOnceAtItsSourceTime()
    {
        var view = new LiveView();
        view.Apply([At(State, SampleValue.FromString("running"), 100), At(State, SampleValue.FromString("running"), 200)]);
        view.Apply([At(State, SampleValue.FromString("fault"), 300), At(State.WithTag("temperature"), SampleValue.FromDouble(20), 350)]);
        view.Apply([At(State, SampleValue.FromString("running"), 500)]);

        Assert.Equal([new StateChange("running", 100), new StateChange("fault", 300), new StateChange("running", 500)], view.States.Changes("s/a/l/m1"));
        var figures = AvailabilityCalculator.Compute(view.States.Changes("s/a/l/m1"), 0, 600);
        Assert.Equal(1, figures.Faults);
        Assert.Equal(200, figures.MttrNs);
    }
}
