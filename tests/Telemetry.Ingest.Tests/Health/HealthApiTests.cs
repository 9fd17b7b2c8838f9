using System.Net;
using System.Text.Json;
using Telemetry.Core;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Tests.Live;
using static Telemetry.Ingest.Tests.Live.LiveSamples;

namespace Telemetry.Ingest.Tests.Health;

/// <summary>`GET /api/machines`, `GET /api/alerts`, `POST /api/alerts/{id}/ack` over a real Kestrel on 127.0.0.1.</summary>
public sealed class HealthApiTests
{
    private static readonly AssetPath ATemp = Path("plant-a", "oven-1", "temperature");
    private static readonly AssetPath AState = Path("plant-a", "oven-1", "state");
    private static readonly AssetPath BTemp = Path("plant-b", "oven-9", "temperature");

    private static HealthOptions HotRule => new() { Rules = [new AlertRuleOptions { Name = "hot", Field = "temperature", Above = 80, Severity = AlertSeverity.Critical, State = "fault" }] };

    [Fact]
    public async Task Machines_SiteCaller_SeesOnlyItsSiteInTheEdgeShape()
    {
        await using var host = await LiveApiHost.StartAsync(health: HotRule);
        host.Health.Apply("plant-a", [Text(AState, "running"), Number(ATemp, 90)]);
        host.Health.Apply("plant-b", [Number(BTemp, 20)]);
        using var http = host.Client("alice@plant-a");

        using var json = JsonDocument.Parse(await http.GetStringAsync("api/machines"));

        var root = json.RootElement;
        Assert.True(root.GetProperty("now").GetInt64() > 0);
        Assert.Equal(30_000, root.GetProperty("staleAfterMs").GetInt64());
        var machine = Assert.Single(root.GetProperty("machines").EnumerateArray());
        Assert.Equal("plant-a/hall-1/line-1/oven-1", machine.GetProperty("key").GetString());
        Assert.Equal("oven-1", machine.GetProperty("machine").GetString());
        Assert.Equal("hall-1", machine.GetProperty("area").GetString());
        Assert.Equal("fault", machine.GetProperty("state").GetString());
        Assert.Equal(0, machine.GetProperty("alarmCode").GetInt64());
        Assert.Equal(T0 / 1_000_000, machine.GetProperty("lastSeen").GetInt64());
        var tags = machine.GetProperty("tags").EnumerateArray().ToList();
        Assert.Equal(["state", "temperature"], tags.Select(t => t.GetProperty("tag").GetString()));
        Assert.Equal(90, tags[1].GetProperty("value").GetDouble());
        Assert.Equal("good", tags[1].GetProperty("quality").GetString());
        Assert.True(tags[1].GetProperty("staleSince").ValueKind == JsonValueKind.Number); // T0 is long past
        var alert = Assert.Single(machine.GetProperty("alerts").EnumerateArray());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Machines_Operator_SeesAllSitesOrTheOneAskedFor()
    {
        await using var host = await LiveApiHost.StartAsync();
        host.Health.Apply("plant-a", [Number(ATemp, 1)]);
        host.Health.Apply("plant-b", [Number(BTemp, 2)]);
        using var http = host.Client("ops");

        Assert.Equal(["plant-a", "plant-b"], Sites(await http.GetStringAsync("api/machines")));
        Assert.Equal(["plant-b"], Sites(await http.GetStringAsync("api/machines?site=plant-b")));
    }

    [Fact]
    public async Task Machines_SiteCallerAskingForAnotherSite_Gets403()
    {
        await using var host = await LiveApiHost.StartAsync();
        host.Health.Apply("plant-b", [Number(BTemp, 2)]);
        using var http = host.Client("alice@plant-a");

        using var response = await http.GetAsync("api/machines?site=plant-b");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("oven-9", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "api/machines")]
    [InlineData("GET", "api/alerts")]
    [InlineData("POST", "api/alerts/1/ack")]
    public async Task Endpoint_NoCaller_Gets401Json(string method, string path)
    {
        await using var host = await LiveApiHost.StartAsync(health: HotRule);
        host.Health.Apply("plant-a", [Number(ATemp, 90)]);
        using var http = host.Client(null);

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unauthorized", json.RootElement.GetProperty("code").GetString());
        Assert.Null(host.Health.Alerts()[0].AcknowledgedBy);
    }

    [Fact]
    public async Task Alerts_SiteCaller_ListsAndAcknowledgesOnlyItsOwn()
    {
        await using var host = await LiveApiHost.StartAsync(health: HotRule);
        host.Health.Apply("plant-a", [Number(ATemp, 90)]);
        host.Health.Apply("plant-b", [Number(BTemp, 95)]);
        var bId = host.Health.Alerts("plant-b")[0].Id;
        using var alice = host.Client("alice@plant-a");

        using var listed = JsonDocument.Parse(await alice.GetStringAsync("api/alerts"));
        var alert = Assert.Single(listed.RootElement.GetProperty("alerts").EnumerateArray());
        Assert.Equal("plant-a", alert.GetProperty("site").GetString());
        Assert.Equal("plant-a/hall-1/line-1/oven-1", alert.GetProperty("machine").GetString());
        Assert.Equal("hot", alert.GetProperty("rule").GetString());
        Assert.True(alert.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("ended").ValueKind);
        var aId = alert.GetProperty("id").GetInt64();

        using var other = await alice.PostAsync($"api/alerts/{bId}/ack", null);
        using var missing = await alice.PostAsync("api/alerts/not-a-number/ack", null);
        using var acked = await alice.PostAsync($"api/alerts/{aId}/ack", null);

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Null(host.Health.Alerts("plant-b")[0].AcknowledgedBy);
        Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
        using var ackJson = JsonDocument.Parse(await acked.Content.ReadAsStringAsync());
        Assert.Equal("alice@plant-a", ackJson.RootElement.GetProperty("acknowledgedBy").GetString());
        Assert.Equal(JsonValueKind.Number, ackJson.RootElement.GetProperty("acknowledgedAt").ValueKind);
    }

    [Fact]
    public async Task Alerts_StateAll_IncludesEndedAndBadStateIs400()
    {
        await using var host = await LiveApiHost.StartAsync(health: HotRule);
        host.Health.Apply("plant-a", [Number(ATemp, 90), Number(ATemp, 70)]);
        using var http = host.Client("ops");

        using var active = JsonDocument.Parse(await http.GetStringAsync("api/alerts?state=active"));
        using var all = JsonDocument.Parse(await http.GetStringAsync("api/alerts?state=all"));
        using var bad = await http.GetAsync("api/alerts?state=open");

        Assert.Empty(active.RootElement.GetProperty("alerts").EnumerateArray());
        var ended = Assert.Single(all.RootElement.GetProperty("alerts").EnumerateArray());
        Assert.False(ended.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Number, ended.GetProperty("ended").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static List<string> Sites(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("site").GetString()!)];
    }
}
