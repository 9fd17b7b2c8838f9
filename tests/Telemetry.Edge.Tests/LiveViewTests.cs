using Telemetry.Core;
using Telemetry.Edge.Live;

namespace Telemetry.Edge.Tests;

public class LiveViewTests
{
    private static readonly AssetPath State = new("s", "a", "l", "m1", "state");

    private static Sample At(AssetPath path, SampleValue value, long ns) => new(path, ns, value, Quality.Good, ns);

    [Fact]
    public void Apply_StateChanges_StateSinceIsTimeOfChange()
    {
        var view = new LiveView();
        view.Apply([At(State, SampleValue.FromString("running"), 100), At(State, SampleValue.FromString("running"), 200)]);
        view.Apply([At(State, SampleValue.FromString("fault"), 300), At(State.WithTag("alarm_code"), SampleValue.FromInt64(42), 300)]);

        var machine = Assert.Single(view.Snapshot());
        Assert.Equal("fault", machine.State);
        Assert.Equal(300, machine.StateSinceNs);
        Assert.Equal(42, machine.AlarmCode);
        Assert.Equal(300, machine.LastSeenNs);
        Assert.Equal(["state", "alarm_code"], machine.Tags.Select(t => t.Tag));
    }

    [Fact]
    public void Apply_TwoMachines_SnapshotSortedByKeyWithLatestValues()
    {
        var view = new LiveView();
        var other = new AssetPath("s", "a", "l", "m0", "speed");
        view.Apply([At(State.WithTag("speed"), SampleValue.FromDouble(1), 1), At(other, SampleValue.FromDouble(2), 1)]);
        view.Apply([At(other, SampleValue.FromDouble(3), 2)]);

        var snapshot = view.Snapshot();
        Assert.Equal(["m0", "m1"], snapshot.Select(m => m.Machine));
        Assert.Equal(3, snapshot[0].Tags[0].Value.AsDouble());
        Assert.Null(snapshot[0].State);
    }
}
