using Microsoft.Extensions.Time.Testing;
using Telemetry.Core;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Health;
using static Telemetry.Ingest.Tests.Live.LiveSamples;

namespace Telemetry.Ingest.Tests.Health;

public sealed class MachineHealthTests
{
    private const long Second = 1_000_000_000;
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly AssetPath OvenTemp = Path("plant-a", "oven-1", "temperature");
    private static readonly AssetPath OvenState = Path("plant-a", "oven-1", "state");
    private static readonly AssetPath OvenAlarm = Path("plant-a", "oven-1", "alarm_code");
    private static readonly AssetPath OtherTemp = Path("plant-b", "oven-9", "temperature");

    [Fact]
    public void Apply_StateAndAlarmTags_ShowsStateSinceAlarmAndLatestValues()
    {
        using var health = new MachineHealth(new HealthOptions(), new FakeTimeProvider(Start));

        health.Apply("plant-a", [Text(OvenState, "running", T0), Number(OvenTemp, 20, T0)]);
        health.Apply("plant-a", [Text(OvenState, "running", T0 + Second), new Sample(OvenAlarm, T0 + (2 * Second), SampleValue.FromInt64(17), Quality.Good, T0 + (2 * Second))]);
        health.Apply("plant-a", [Text(OvenState, "fault", T0 + (3 * Second)), Number(OvenTemp, 21, T0 + (3 * Second))]);

        var oven = Assert.Single(health.Snapshot());
        Assert.Equal("plant-a/hall-1/line-1/oven-1", oven.Key);
        Assert.Equal("fault", oven.State);
        Assert.Equal(T0 + (3 * Second), oven.StateSinceNs);
        Assert.Equal(17, oven.AlarmCode);
        Assert.Equal(T0 + (3 * Second), oven.LastSeenNs);
        Assert.Equal(["state", "temperature", "alarm_code"], oven.Tags.Select(t => t.Tag));
        Assert.Equal(21, oven.Tags[1].Value.AsDouble());
    }

    [Fact]
    public void Snapshot_WithSite_ReturnsOnlyThatSite()
    {
        using var health = new MachineHealth(new HealthOptions(), new FakeTimeProvider(Start));
        health.Apply("plant-a", [Number(OvenTemp, 1)]);
        health.Apply("plant-b", [Number(OtherTemp, 2)]);

        Assert.Equal(["plant-a"], health.Snapshot("plant-a").Select(m => m.Site));
        Assert.Equal(["plant-b"], health.Snapshot("plant-b").Select(m => m.Site));
        Assert.Equal(2, health.Snapshot().Count);
    }

    [Fact]
    public void Apply_SampleNamingAnotherSiteThanTheBatch_IsIgnored()
    {
        using var health = new MachineHealth(new HealthOptions(), new FakeTimeProvider(Start));

        health.Apply("plant-a", [Number(OtherTemp, 2)]);

        Assert.Empty(health.Snapshot());
    }

    [Fact]
    public void Threshold_ValuesAroundTheLimit_RaisesOnceAndClearsOnlyBelowHysteresis()
    {
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "hot", Field = "temp*", Above = 80, Hysteresis = 2, Severity = AlertSeverity.Critical }), new FakeTimeProvider(Start));
        health.Apply("plant-a", [Number(OvenTemp, 79, T0)]);
        Assert.Empty(health.Alerts());
        var values = new[] { 79.0, 81, 79, 80.5, 78.5, 81, 78.1 };
        for (var i = 1; i < values.Length; i++)
        {
            health.Apply("plant-a", [Number(OvenTemp, values[i], T0 + (i * Second))]);
            Assert.Single(health.Alerts());
        }

        health.Apply("plant-a", [Number(OvenTemp, 77.9, T0 + (10 * Second))]);

        Assert.Empty(health.Alerts());
        var alert = Assert.Single(health.Alerts(includeEnded: true));
        Assert.Equal("hot", alert.Rule);
        Assert.Equal("temperature", alert.Tag);
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Equal(81, alert.Value);
        Assert.Contains("above 80", alert.Message, StringComparison.Ordinal);
        Assert.Equal(UnixTime.ToDateTimeOffset(T0 + Second), alert.Since);
        Assert.Equal(UnixTime.ToDateTimeOffset(T0 + (10 * Second)), alert.Ended);
    }

    [Fact]
    public void Threshold_Below_RaisesUnderLimitAndClearsAboveLimitPlusHysteresis()
    {
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "cold", Field = "temperature", Below = 10, Hysteresis = 1 }), new FakeTimeProvider(Start));

        health.Apply("plant-a", [Number(OvenTemp, 9)]);
        Assert.Single(health.Alerts());
        health.Apply("plant-a", [Number(OvenTemp, 10.5)]);
        Assert.Single(health.Alerts());
        health.Apply("plant-a", [Number(OvenTemp, 11.5)]);

        Assert.Empty(health.Alerts());
    }

    [Fact]
    public void Threshold_MachinePattern_WatchesOnlyMatchingMachines()
    {
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "hot", Machine = "press-*", Field = "temperature", Above = 80 }), new FakeTimeProvider(Start));

        health.Apply("plant-a", [Number(OvenTemp, 100)]);

        Assert.Empty(health.Alerts());
    }

    [Fact]
    public void Threshold_BadQualitySample_IsNotEvaluated()
    {
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "hot", Field = "temperature", Above = 80 }), new FakeTimeProvider(Start));

        health.Apply("plant-a", [new Sample(OvenTemp, T0, SampleValue.FromDouble(1000), Quality.Bad, T0)]);

        Assert.Empty(health.Alerts());
    }

    [Fact]
    public void NoData_SilenceLongerThanLimit_RaisesByTimerAndEndsWithNextSample()
    {
        var time = new FakeTimeProvider(Start);
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "silent", Kind = AlertRuleKind.NoData, Field = "temperature", NoDataFor = TimeSpan.FromSeconds(10) }), time);
        health.Apply("plant-a", [Number(OvenTemp, 1)]);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(health.Alerts());
        time.Advance(TimeSpan.FromSeconds(2));

        var alert = Assert.Single(health.Alerts());
        Assert.Equal("silent", alert.Rule);
        Assert.Contains("no temperature data for 10 s", alert.Message, StringComparison.Ordinal);
        Assert.True(double.IsNaN(alert.Value));

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Single(health.Alerts(includeEnded: true));

        health.Apply("plant-a", [Number(OvenTemp, 2)]);
        Assert.Empty(health.Alerts());
        Assert.NotNull(Assert.Single(health.Alerts(includeEnded: true)).Ended);
    }

    [Fact]
    public void NoData_OtherFieldsKeepArriving_StillRaisesForTheSilentField()
    {
        var time = new FakeTimeProvider(Start);
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "silent", Kind = AlertRuleKind.NoData, Field = "temperature", NoDataFor = TimeSpan.FromSeconds(5) }), time);
        health.Apply("plant-a", [Number(OvenTemp, 1)]);

        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            health.Apply("plant-a", [Text(OvenState, "running")]);
        }

        Assert.Single(health.Alerts());
    }

    [Fact]
    public void Dispose_WithNoDataRule_StopsItsTimer()
    {
        var time = new FakeTimeProvider(Start);
        var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "silent", Kind = AlertRuleKind.NoData, Field = "*" }), time);
        Assert.Equal(TimeSpan.FromSeconds(1), health.NoDataCheckPeriod);
        health.Apply("plant-a", [Number(OvenTemp, 1)]);

        health.Dispose();
        time.Advance(TimeSpan.FromMinutes(5)); // 5x the rule's 60 s of silence: a running timer would raise it

        Assert.Empty(health.Alerts(includeEnded: true));
    }

    [Fact]
    public void RateOfChange_FastRise_RaisesAndClearsWhenItSlows()
    {
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "surge", Kind = AlertRuleKind.RateOfChange, Field = "temperature", RatePerSecond = 5 }), new FakeTimeProvider(Start));

        health.Apply("plant-a", [Number(OvenTemp, 10, T0), Number(OvenTemp, 12, T0 + Second)]);
        Assert.Empty(health.Alerts());
        health.Apply("plant-a", [Number(OvenTemp, 13, T0 + (2 * Second)), Number(OvenTemp, 7, T0 + (3 * Second))]);
        var alert = Assert.Single(health.Alerts());
        Assert.Contains("-6/s", alert.Message, StringComparison.Ordinal);
        health.Apply("plant-a", [Number(OvenTemp, 8, T0 + (4 * Second))]);

        Assert.Empty(health.Alerts());
        Assert.Single(health.Alerts(includeEnded: true));
    }

    [Fact]
    public void RateOfChange_OutOfOrderSample_IsSkipped()
    {
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "surge", Kind = AlertRuleKind.RateOfChange, Field = "temperature", RatePerSecond = 5 }), new FakeTimeProvider(Start));

        health.Apply("plant-a", [Number(OvenTemp, 10, T0 + Second), Number(OvenTemp, 1000, T0), Number(OvenTemp, 11, T0 + (2 * Second))]);

        Assert.Empty(health.Alerts());
    }

    [Fact]
    public void RuleWithState_WhileActive_OverridesStateFieldThenRestoresIt()
    {
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "overheat", Field = "temperature", Above = 300, State = "fault" }), new FakeTimeProvider(Start));
        health.Apply("plant-a", [Text(OvenState, "running", T0)]);

        health.Apply("plant-a", [Number(OvenTemp, 310, T0 + Second)]);
        var hot = Assert.Single(health.Snapshot());
        Assert.Equal("fault", hot.State);
        Assert.Equal(T0 + Second, hot.StateSinceNs);
        Assert.Single(hot.Alerts);

        health.Apply("plant-a", [Number(OvenTemp, 250, T0 + (2 * Second))]);
        var ok = Assert.Single(health.Snapshot());
        Assert.Equal("running", ok.State);
        Assert.Empty(ok.Alerts);
    }

    [Fact]
    public void Acknowledge_OwnSite_RecordsFirstAcknowledgerOtherSiteSeesNothing()
    {
        var time = new FakeTimeProvider(Start);
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "hot", Field = "temperature", Above = 80 }), time);
        health.Apply("plant-a", [Number(OvenTemp, 90)]);
        var id = Assert.Single(health.Alerts()).Id;

        Assert.Null(health.Acknowledge(id, "bob@plant-b", "plant-b"));
        Assert.Null(health.Acknowledge(id + 100, "alice", "plant-a"));
        var acked = health.Acknowledge(id, "alice", "plant-a");
        time.Advance(TimeSpan.FromMinutes(1));
        var again = health.Acknowledge(id, "operator", null);

        Assert.Equal("alice", acked!.AcknowledgedBy);
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromMinutes(1), acked.AcknowledgedAt);
        Assert.Equal("alice", again!.AcknowledgedBy);
        Assert.True(again.IsActive);
        Assert.Empty(health.Alerts("plant-b", includeEnded: true));
    }

    [Fact]
    public void Alerts_HistoryFull_ForgetsOldestEnded()
    {
        using var health = new MachineHealth(Rules(new AlertRuleOptions { Name = "hot", Field = "temperature", Above = 80 }) with { AlertHistory = 2 }, new FakeTimeProvider(Start));
        for (var i = 0; i < 3; i++)
        {
            health.Apply("plant-a", [Number(OvenTemp, 90), Number(OvenTemp, 70)]);
        }

        var all = health.Alerts(includeEnded: true);

        Assert.Equal(2, all.Count);
        Assert.True(all[0].Id > all[1].Id);
        Assert.Null(health.Acknowledge(all[1].Id - 1, "alice", null));
    }

    [Fact]
    public void Apply_BeyondMaxSeries_TracksNoNewSeriesButUpdatesKnownOnes()
    {
        using var health = new MachineHealth(new HealthOptions { MaxSeries = 2 }, new FakeTimeProvider(Start));

        health.Apply("plant-a", [Number(OvenTemp, 1), Text(OvenState, "running"), Number(OvenAlarm, 3), Number(OvenTemp, 2)]);

        var oven = Assert.Single(health.Snapshot());
        Assert.Equal(["temperature", "state"], oven.Tags.Select(t => t.Tag));
        Assert.Equal(2, oven.Tags[0].Value.AsDouble());
        Assert.Equal(1, health.UntrackedSamples);
    }

    [Fact]
    public void Apply_KnownSeriesWithQuietRules_SteadyStateAllocatesNothing()
    {
        using var health = new MachineHealth(
            Rules(
                new AlertRuleOptions { Name = "hot", Field = "temperature", Above = 1e9 },
                new AlertRuleOptions { Name = "surge", Kind = AlertRuleKind.RateOfChange, Field = "temperature", RatePerSecond = 1e12 },
                new AlertRuleOptions { Name = "silent", Kind = AlertRuleKind.NoData, Field = "temperature" }),
            TimeProvider.System);
        var batch = Batch(OvenTemp, 1000);
        health.Apply("plant-a", batch);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            health.Apply("plant-a", batch);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static HealthOptions Rules(params AlertRuleOptions[] rules) => new() { Rules = rules };
}
