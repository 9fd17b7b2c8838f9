using Telemetry.Simulator.Profiles;

namespace Telemetry.Simulator.Tests;

public class ProfileLoaderTests
{
    private const string Minimal = """
        kind: fan
        cycle_seconds: 10
        states:
          running: { duration: [10, 20], next: { idle: 1 } }
          idle: { duration: [10, 20], next: { running: 1 } }
          setup: { duration: [10, 20], next: { running: 1 } }
          off: { duration: [10, 20], next: { setup: 1 } }
          fault: { next: { idle: 1 } }
        tags:
          - { name: state, type: string, signal: state }
        """;

    [Fact]
    public void BuiltIn_ShippedProfiles_LoadAtLeastThreeKinds()
    {
        Assert.True(ProfileLoader.BuiltIn.Count >= 3);
        Assert.Contains("cnc-mill", ProfileLoader.BuiltIn.Keys);
        Assert.Contains("hydraulic-press", ProfileLoader.BuiltIn.Keys);
        Assert.Contains("curing-oven", ProfileLoader.BuiltIn.Keys);
        foreach (var profile in ProfileLoader.BuiltIn.Values)
        {
            Assert.Contains(profile.Tags, t => t.Signal == SignalKind.State);
            Assert.Contains(profile.Tags, t => t.Signal == SignalKind.AlarmCode);
            Assert.Contains(profile.Tags, t => t.Signal == SignalKind.Counter);
            Assert.NotEmpty(profile.Faults.Alarms);
        }
    }

    [Fact]
    public void Parse_MinimalProfile_Succeeds()
    {
        var profile = ProfileLoader.Parse(Minimal, "fan.yaml");
        Assert.Equal("fan", profile.Kind);
        Assert.Equal("idle", profile.InitialState);
    }

    [Fact]
    public void Parse_UnknownKey_ErrorNamesFileLineAndKey()
    {
        var yaml = Minimal.Replace("cycle_seconds: 10", "cycle_seconds: 10\ncycle_secs: 3", StringComparison.Ordinal);
        var ex = Assert.Throws<ProfileFormatException>(() => ProfileLoader.Parse(yaml, "fan.yaml"));
        Assert.StartsWith("fan.yaml:3:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cycle_secs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrongType_ErrorNamesLine()
    {
        var yaml = Minimal.Replace("cycle_seconds: 10", "cycle_seconds: fast", StringComparison.Ordinal);
        var ex = Assert.Throws<ProfileFormatException>(() => ProfileLoader.Parse(yaml, "fan.yaml"));
        Assert.StartsWith("fan.yaml:2:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingState_ErrorSaysWhichState()
    {
        var yaml = Minimal.Replace("  off: { duration: [10, 20], next: { setup: 1 } }\n", string.Empty, StringComparison.Ordinal);
        var ex = Assert.Throws<ProfileFormatException>(() => ProfileLoader.Parse(yaml, "fan.yaml"));
        Assert.Contains("states.off is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FirstOrderWithoutTarget_ErrorNamesTag()
    {
        var yaml = Minimal + "\n  - { name: speed, signal: first_order, target: { running: 5 } }";
        var ex = Assert.Throws<ProfileFormatException>(() => ProfileLoader.Parse(yaml, "fan.yaml"));
        Assert.Contains("tags[1].target.idle is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownSignal_ErrorListsChoices()
    {
        var yaml = Minimal + "\n  - { name: speed, signal: sawtooth }";
        var ex = Assert.Throws<ProfileFormatException>(() => ProfileLoader.Parse(yaml, "fan.yaml"));
        Assert.Contains("tags[1].signal: 'sawtooth' is not one of", ex.Message, StringComparison.Ordinal);
    }
}
