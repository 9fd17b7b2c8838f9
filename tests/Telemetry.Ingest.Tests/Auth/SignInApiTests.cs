using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Telemetry.Ingest.Auth;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Tests.Fixtures;
using Telemetry.Ingest.Tests.Live;

namespace Telemetry.Ingest.Tests.Auth;

/// <summary>
/// Sign-in against the real ingest (Kestrel on 127.0.0.1:0): session cookies, and every API the dashboard page calls
/// limited to the signed-in user's site (an operator sees all sites); tokens keep working as before.
/// </summary>
public sealed class SignInApiTests : IAsyncLifetime
{
    private IngestServer _server = null!;

    public async Task InitializeAsync()
    {
        var options = SignInRig.Options(signIn: new SignInOptions { MaxFailures = 3 }) with
        {
            Health = new HealthOptions
            {
                Rules = [new AlertRuleOptions { Name = "warm", Kind = AlertRuleKind.Threshold, Field = "temperature", Above = 10, Message = "warm" }],
            },
        };
        _server = await IngestTestKit.StartAsync(options, new RecordingStore());
        await SignInRig.WriteBothSitesAsync(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SignIn_RightPassword_SetsHttpOnlyStrictExpiringCookieAndNamesSite()
    {
        using var browser = SignInRig.Browser(_server);

        using var response = await SignInRig.SignInAsync(browser, "anna", SignInRig.AnnaPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith(SignInService.MarkerCookieName + "=1", StringComparison.Ordinal));
        var cookie = Assert.Single(cookies, c => c.StartsWith(SignInService.CookieName + "=", StringComparison.Ordinal));
        Assert.StartsWith(SignInService.CookieName + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expires=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);   // plain http on loopback
        var body = await SignInRig.JsonAsync(response);
        Assert.Equal("plant-a", body.GetProperty("site").GetString());
        Assert.Equal("site", body.GetProperty("role").GetString());

        var (status, session) = await SignInRig.GetAsync(browser, "api/session");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("anna", session.GetProperty("user").GetString());
        Assert.Equal(["plant-a"], session.GetProperty("sites").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task SignIn_WrongPasswordAndUnknownUser_SameRefusalWithoutCookie()
    {
        using var browser = SignInRig.Browser(_server);

        using var wrong = await SignInRig.SignInAsync(browser, "bert", "not-the-password");
        using var unknown = await SignInRig.SignInAsync(browser, "nobody", "not-the-password");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(await wrong.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        Assert.Contains("Wrong user name or password", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInRig.GetAsync(browser, "api/machines")).Status);
    }

    [Fact]
    public async Task SignIn_ThreeFailures_FourthIsThrottledEvenWithTheRightPassword()
    {
        using var browser = SignInRig.Browser(_server);
        for (var i = 0; i < 3; i++)
        {
            using var failed = await SignInRig.SignInAsync(browser, "olga", "guess-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var throttled = await SignInRig.SignInAsync(browser, "olga", SignInRig.OlgaPassword);

        Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
        Assert.True(int.Parse(throttled.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 800);
        Assert.Contains("Too many failed sign-ins", await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(throttled.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("text/plain", "{\"user\":\"anna\",\"password\":\"x\"}", 415)]
    [InlineData("application/json", "{\"user\":\"anna\"}", 400)]
    [InlineData("application/json", "not json", 400)]
    [InlineData("application/json", "{\"user\":\"\",\"password\":\"x\"}", 400)]
    public async Task SignIn_BadBody_ClearError(string contentType, string body, int expected)
    {
        using var browser = SignInRig.Browser(_server);

        using var response = await browser.PostAsync(new Uri("api/session", UriKind.Relative), new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.NotEmpty((await SignInRig.JsonAsync(response)).GetProperty("message").GetString()!);
    }

    [Fact]
    public async Task SiteUser_EveryDashboardApi_SeesNoMachineOfOtherSite()
    {
        using var browser = SignInRig.Browser(_server);
        using var signIn = await SignInRig.SignInAsync(browser, "anna", SignInRig.AnnaPassword);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);

        var (status, machines) = await SignInRig.GetAsync(browser, "api/machines");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["plant-a/hall/l1/plant-a-m1", "plant-a/hall/l2/plant-a-m2"], SignInRig.MachineKeys(machines));

        var (alertsStatus, alerts) = await SignInRig.GetAsync(browser, "api/alerts?state=all");
        Assert.Equal(HttpStatusCode.OK, alertsStatus);
        var alertSites = alerts.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("site").GetString()).ToList();
        Assert.Equal(2, alertSites.Count);
        Assert.All(alertSites, s => Assert.Equal("plant-a", s));

        var (edgesStatus, edges) = await SignInRig.GetAsync(browser, "api/edges");
        Assert.Equal(HttpStatusCode.OK, edgesStatus);
        Assert.Equal(["edge-a"], edges.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("edge").GetString()));

        foreach (var path in new[] { "api/machines?site=plant-b", "api/alerts?site=plant-b", "api/live?site=plant-b",
                     "api/history?machine=plant-b/hall/l1/plant-b-m1&tag=temperature&from=0&to=1000" })
        {
            var (refused, error) = await SignInRig.GetAsync(browser, path);
            Assert.True(refused == HttpStatusCode.Forbidden, $"{path}: {refused} {error}");
        }

        // Its own machine's history passes the site check (this ingest stores nothing: 501 from the null store).
        Assert.Equal(HttpStatusCode.NotImplemented, (await SignInRig.GetAsync(browser, "api/history?machine=plant-a/hall/l1/plant-a-m1&tag=temperature&from=0&to=1000")).Status);
    }

    [Fact]
    public async Task SiteUser_LiveStream_ReceivesOnlyItsSitesSamples()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var browser = SignInRig.Browser(_server);
        using var signIn = await SignInRig.SignInAsync(browser, "bert", SignInRig.BertPassword);
        using var stream = await browser.GetAsync(new Uri("api/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var sse = new SseReader(await stream.Content.ReadAsStreamAsync(timeout.Token));
        await sse.ReadAsync(timeout.Token);   // ": connected": the subscription exists

        await SignInRig.WriteBothSitesAsync(_server);

        var seen = 0;
        while (seen < 4)
        {
            var (name, data) = await sse.ReadEventAsync(timeout.Token);
            Assert.Equal("samples", name);
            using var json = JsonDocument.Parse(data);
            foreach (var sample in json.RootElement.EnumerateArray())
            {
                Assert.StartsWith("plant-b/", sample.GetProperty("m").GetString(), StringComparison.Ordinal);
                seen++;
            }
        }

        Assert.Equal(4, seen);
    }

    [Fact]
    public async Task SiteUser_LiveWebSocketWithSessionCookie_ReceivesOnlyItsSitesSamples()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var browser = SignInRig.Browser(_server);
        using var signIn = await SignInRig.SignInAsync(browser, "anna", SignInRig.AnnaPassword);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SignInService.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", cookie);
        await socket.ConnectAsync(new Uri($"ws://{_server.BaseAddress.Authority}/api/live"), timeout.Token);

        await SignInRig.WriteBothSitesAsync(_server);

        var seen = 0;
        var buffer = new byte[64 * 1024];
        while (seen < 4)
        {
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            using var json = JsonDocument.Parse(buffer.AsMemory(0, received.Count));
            Assert.True(received.EndOfMessage, "a frame is one message");
            Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);   // a samples frame; {"dropped":N} would fail here
            foreach (var sample in json.RootElement.EnumerateArray())
            {
                Assert.StartsWith("plant-a/", sample.GetProperty("m").GetString(), StringComparison.Ordinal);
                seen++;
            }
        }

        Assert.Equal(4, seen);
    }

    [Fact]
    public async Task Operator_Machines_SeesBothSitesAndPicksOne()
    {
        using var browser = SignInRig.Browser(_server);
        using var signIn = await SignInRig.SignInAsync(browser, "olga", SignInRig.OlgaPassword);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);

        var (_, all) = await SignInRig.GetAsync(browser, "api/machines");
        var (_, onlyB) = await SignInRig.GetAsync(browser, "api/machines?site=plant-b");
        var (_, session) = await SignInRig.GetAsync(browser, "api/session");
        var (_, edges) = await SignInRig.GetAsync(browser, "api/edges");

        Assert.Equal(4, SignInRig.MachineKeys(all).Length);
        Assert.Equal(["plant-b/hall/l1/plant-b-m1", "plant-b/hall/l2/plant-b-m2"], SignInRig.MachineKeys(onlyB));
        Assert.Equal("operator", session.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("site").ValueKind);
        Assert.Equal(["plant-a", "plant-b"], session.GetProperty("sites").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(2, edges.GetProperty("edges").GetArrayLength());
    }

    [Fact]
    public async Task SignOut_ThenDashboardApis_Unauthorized()
    {
        using var browser = SignInRig.Browser(_server);
        using var signIn = await SignInRig.SignInAsync(browser, "anna", SignInRig.AnnaPassword);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SignInService.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];

        using var signOut = await browser.DeleteAsync(new Uri("api/session", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInRig.GetAsync(browser, "api/machines")).Status);

        // The old cookie replayed by hand is refused too (revoked on this instance).
        using var replay = new HttpRequestMessage(HttpMethod.Get, "api/machines");
        replay.Headers.Add("Cookie", cookie);
        using var plain = IngestTestKit.Client(_server);
        using var replayed = await plain.SendAsync(replay);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    [Fact]
    public async Task Session_Write_RefusedTokensStillNeeded()
    {
        using var browser = SignInRig.Browser(_server);
        using var signIn = await SignInRig.SignInAsync(browser, "anna", SignInRig.AnnaPassword);

        using var write = await browser.PostAsync(new Uri("api/v2/write?org=o&bucket=b", UriKind.Relative),
            new StringContent("machine,machine=x,site=plant-a temperature=1 1\n"));

        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
    }

    [Fact]
    public async Task Session_FromOtherOrigin_Ignored()
    {
        using var browser = SignInRig.Browser(_server);
        using var signIn = await SignInRig.SignInAsync(browser, "anna", SignInRig.AnnaPassword);

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/machines");
        request.Headers.Add("Origin", "http://evil.example");
        using var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Root_WithoutSession_RedirectsToLoginPage()
    {
        using var browser = SignInRig.Browser(_server);

        using var root = await browser.GetAsync(new Uri("/", UriKind.Relative));
        using var login = await browser.GetAsync(new Uri("/login", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/login", root.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("<form id=\"signin\"", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("DENY", login.Headers.GetValues("X-Frame-Options").Single());

        using var signIn = await SignInRig.SignInAsync(browser, "anna", SignInRig.AnnaPassword);
        using var signedIn = await browser.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public async Task Tokens_DashboardApis_WorkAsBefore()
    {
        using var http = IngestTestKit.Client(_server);

        var machines = await http.GetFromJsonAsync<JsonElement>($"api/machines?token={IngestTestKit.TokenB}");

        Assert.Equal(["plant-b/hall/l1/plant-b-m1", "plant-b/hall/l2/plant-b-m2"], SignInRig.MachineKeys(machines));
    }
}
