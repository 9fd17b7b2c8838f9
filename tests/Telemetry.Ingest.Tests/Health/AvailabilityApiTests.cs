using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Telemetry.Core;
using Telemetry.Ingest.Tests.Live;
using static Telemetry.Ingest.Tests.Live.LiveSamples;

namespace Telemetry.Ingest.Tests.Health;

/// <summary>`GET /api/availability` and `GET /api/sources` (what the machine page calls) over a real Kestrel on 127.0.0.1.</summary>
public sealed class AvailabilityApiTests
{
    private const string Key = "plant-a/hall-1/line-1/oven-1";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly AssetPath AState = Path("plant-a", "oven-1", "state");

    private static long MinutesAgo(int minutes) => UnixTime.FromDateTimeOffset(Now.AddMinutes(-minutes));

    [Fact]
    public async Task Availability_SiteCallerOwnMachine_TodaysFiguresFromItsStateChanges()
    {
        await using var host = await LiveApiHost.StartAsync(time: UtcClock());
        host.Health.Apply("plant-a", [Text(AState, "running", MinutesAgo(120))]);
        host.Health.Apply("plant-a", [Text(AState, "fault", MinutesAgo(60))]);
        host.Health.Apply("plant-a", [Text(AState, "running", MinutesAgo(50))]);
        using var http = host.Client("alice@plant-a");

        using var json = JsonDocument.Parse(await http.GetStringAsync($"api/availability?machine={Uri.EscapeDataString(Key)}"));

        var root = json.RootElement;
        Assert.Equal(Key, root.GetProperty("machine").GetString());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), root.GetProperty("from").GetInt64());
        Assert.Equal(120 * 60_000, root.GetProperty("plannedMs").GetInt64());
        Assert.Equal(110 * 60_000, root.GetProperty("runningMs").GetInt64());
        Assert.Equal(10 * 60_000, root.GetProperty("faultMs").GetInt64());
        Assert.Equal(1, root.GetProperty("faults").GetInt32());
        Assert.Equal(0.9167, root.GetProperty("availability").GetDouble());
        Assert.Equal(110 * 60_000, root.GetProperty("mtbfMs").GetInt64());
        Assert.Equal(10 * 60_000, root.GetProperty("mttrMs").GetInt64());
        Assert.Equal(3, root.GetProperty("changes").GetArrayLength());
    }

    [Fact]
    public async Task Availability_SiteCallerAskingForAnotherSitesMachine_Gets403()
    {
        await using var host = await LiveApiHost.StartAsync(time: UtcClock());
        host.Health.Apply("plant-b", [Text(Path("plant-b", "oven-9", "state"), "running", MinutesAgo(5))]);
        using var http = host.Client("alice@plant-a");

        using var response = await http.GetAsync("api/availability?machine=plant-b%2Fhall-1%2Fline-1%2Foven-9");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("runningMs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Availability_NoMachineQuery_Gets400NamingTheParameter()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client("alice@plant-a");

        using var response = await http.GetAsync("api/availability");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("'machine'", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sources_Caller_GetsEmptyListAndNoCallerGets401()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client("alice@plant-a");
        using var anonymous = host.Client(null);

        Assert.Equal("[]", await http.GetStringAsync("api/sources"));
        using var refused = await anonymous.GetAsync("api/sources");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public void States_AlertRuleStateOverField_RecordedAsShown()
    {
        var options = new Telemetry.Ingest.Configuration.HealthOptions
        {
            Rules = [new Telemetry.Ingest.Configuration.AlertRuleOptions { Name = "hot", Field = "temperature", Above = 80, State = "fault" }],
        };
        using var health = new Telemetry.Ingest.Health.MachineHealth(options, UtcClock());

        health.Apply("plant-a", [Text(AState, "running", MinutesAgo(30))]);
        health.Apply("plant-a", [Number(Path("plant-a", "oven-1", "temperature"), 95, MinutesAgo(20))]);
        health.Apply("plant-a", [Number(Path("plant-a", "oven-1", "temperature"), 20, MinutesAgo(10))]);

        Assert.Equal(["running", "fault", "running"], health.States.Changes(Key).Select(c => c.State));
        Assert.Equal(MinutesAgo(20), health.States.Changes(Key)[1].FromNs);
        Assert.Equal(MinutesAgo(10), health.States.Changes(Key)[2].FromNs);
    }

    /// <summary>A clock standing at <see cref="Now"/>, in UTC ("today" starts at 00:00 UTC whatever the machine's zone).</summary>
    private static FakeTimeProvider UtcClock()
    {
        var clock = new FakeTimeProvider(Now);
        clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        return clock;
    }
}
