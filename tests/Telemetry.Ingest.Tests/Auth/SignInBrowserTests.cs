using System.Text.Json;
using Microsoft.Playwright;

namespace Telemetry.Ingest.Tests.Auth;

/// <summary>
/// The ingest-served dashboard in headless Chromium (Playwright): sign-in with the keyboard, a site's user sees only its
/// site's machines (on the page and through the APIs the page calls), wrong passwords show a clear error, the operator
/// picks a site, history of back-dated samples reaches the machine page's chart; screenshots of the sign-in page.
/// </summary>
[Collection(SignInBrowserCollection.Name)]
public sealed class SignInBrowserTests(SignInBrowserFixture rig)
{
    [Fact]
    public async Task SignIn_WrongPassword_ShowsErrorAndStaysOnSignInPage()
    {
        var (context, page, errors) = await rig.NewPageAsync(allowed: ["401"]);
        await using (context)
        {
            await page.GotoAsync(rig.Server.BaseAddress + "login");
            await page.Locator("#user").FillAsync("anna");
            await page.Locator("#password").FillAsync("not-her-password");
            await page.Locator("#password").PressAsync("Enter");

            var error = page.Locator("#error");
            await error.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
            Assert.Equal("Wrong user name or password.", await error.InnerTextAsync());
            Assert.Equal("alert", await error.GetAttributeAsync("role"));
            Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
            Assert.Equal("password", await page.EvaluateAsync<string>("() => document.activeElement.id"));
            Assert.Equal(string.Empty, await page.Locator("#password").InputValueAsync());

            // An unknown user gets the very same words (no user enumeration).
            await page.Locator("#user").FillAsync("nobody");
            await page.Locator("#password").FillAsync("whatever-pass");
            await page.Locator("#submit").ClickAsync();
            await page.WaitForFunctionAsync("() => document.getElementById('password').value === ''", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            Assert.Equal("Wrong user name or password.", await error.InnerTextAsync());
            Assert.Empty(errors);
        }
    }

    [Fact]
    public async Task SignIn_SiteAUser_SeesOnlySiteAMachinesOnPageAndThroughApi()
    {
        var (context, page, errors) = await rig.NewPageAsync(allowed: ["403"]);
        await using (context)
        {
            await rig.SignInAsync(page, "anna", SignInBrowserFixture.AnnaPassword);
            await page.WaitForFunctionAsync("() => document.querySelectorAll('article.tile').length >= 2", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            await page.WaitForSelectorAsync("#link.ok", new PageWaitForSelectorOptions { Timeout = 30_000 });

            var tiles = await page.Locator("article.tile").EvaluateAllAsync<string[]>("ts => ts.map(t => t.dataset.machine)");
            Assert.Equal(["plant-a-m1", "plant-a-m2"], tiles.Order(StringComparer.Ordinal));
            Assert.Equal("anna · plant-a", await page.Locator("#session .who").InnerTextAsync());

            // The APIs the page calls, with the page's own session cookie.
            var machines = await FetchAsync(page, "/api/machines");
            Assert.Equal(200, machines.Status);
            Assert.All(machines.Body.GetProperty("machines").EnumerateArray(), m => Assert.Equal("plant-a", m.GetProperty("site").GetString()));
            foreach (var path in new[] { "/api/machines?site=plant-b", "/api/alerts?site=plant-b",
                         "/api/history?machine=plant-b%2Fhall%2Fl1%2Fplant-b-m1&tag=temperature&from=0&to=1000" })
            {
                Assert.Equal(403, (await FetchAsync(page, path)).Status);
            }

            var edges = await FetchAsync(page, "/api/edges");
            Assert.Equal(["edge-a"], edges.Body.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("edge").GetString()));
            Assert.False(await page.EvaluateAsync<bool>("() => document.cookie.includes('telemetry_session')"), "the session cookie must be HttpOnly");

            await page.Locator("#signout").ClickAsync();
            await page.WaitForSelectorAsync("form#signin", new PageWaitForSelectorOptions { Timeout = 30_000 });
            Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
            Assert.Equal(401, (await FetchAsync(page, "/api/machines")).Status);
            Assert.True(errors.TrueForAll(e => e.Contains("401", StringComparison.Ordinal)), string.Join("\n", errors));
        }
    }

    [Fact]
    public async Task SignIn_Operator_SeesBothSitesAndPicksOne()
    {
        var (context, page, errors) = await rig.NewPageAsync();
        await using (context)
        {
            await rig.SignInAsync(page, "olga", SignInBrowserFixture.OlgaPassword);
            await page.WaitForFunctionAsync("() => document.querySelectorAll('article.tile').length === 4", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            Assert.Equal("olga · operator", await page.Locator("#session .who").InnerTextAsync());

            // Wait from before the change: the reload can finish before a wait started afterwards sees it.
            var reloaded = page.WaitForURLAsync(url => url.EndsWith("/?site=plant-b", StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 30_000, WaitUntil = WaitUntilState.Commit });
            await page.Locator("#site-picker").SelectOptionAsync("plant-b");
            await reloaded;
            await page.WaitForSelectorAsync("article.tile", new PageWaitForSelectorOptions { Timeout = 30_000 });
            await page.WaitForSelectorAsync("#link.ok", new PageWaitForSelectorOptions { Timeout = 30_000 });
            var tiles = await page.Locator("article.tile").EvaluateAllAsync<string[]>("ts => ts.map(t => t.dataset.machine)");
            Assert.Equal(["plant-b-m1", "plant-b-m2"], tiles.Order(StringComparer.Ordinal));
            Assert.Equal("plant-b", await page.Locator("#site-picker").InputValueAsync());
            Assert.Empty(errors);
        }
    }

    [Fact]
    public async Task MachinePage_ShiftRangeAfterSignIn_ChartHasSamplesWrittenAnHourEarlier()
    {
        // The machine page also asks for APIs only the edge has (e.g. /api/sources): their 404 hides that part.
        var (context, page, errors) = await rig.NewPageAsync(allowed: ["404"]);
        await using (context)
        {
            await rig.SignInAsync(page, "anna", SignInBrowserFixture.AnnaPassword);
            await page.Locator("article.tile[data-machine='plant-a-m1']").ClickAsync();
            await page.WaitForSelectorAsync("#machine:not([hidden])", new PageWaitForSelectorOptions { Timeout = 30_000 });
            await page.WaitForSelectorAsync("#m-charts figure.chart[data-tag='temperature']", new PageWaitForSelectorOptions { Timeout = 30_000 });

            await page.Locator("#m-ranges button[data-range='8h']").ClickAsync();
            var figure = page.Locator("#m-charts figure.chart[data-tag='temperature'][data-source='history']");
            await figure.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
            Assert.Equal("true", await page.Locator("#m-ranges button[data-range='8h']").GetAttributeAsync("aria-pressed"));
            Assert.True(await page.Locator("#m-history-note").IsHiddenAsync(), await page.Locator("#m-history-note").InnerTextAsync());

            // The chart's own data (uPlot: x in seconds): the 60 back-dated samples, an hour old, then the current one.
            var data = await page.EvaluateAsync<JsonElement>("() => { const p = view.charts.get('temperature').plot; return { x: p.data[0], y: p.data[1] }; }");
            var x = data.GetProperty("x").EnumerateArray().Select(v => v.GetDouble()).ToList();
            var y = data.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToList();
            Assert.Equal(rig.FirstBackDatedMs / 1000.0, x[0]);
            Assert.Equal(Enumerable.Range(100, 60).Select(v => (double)v), y.Take(60));
            Assert.Equal(61, x.Count);
            Assert.Equal(21, y[^1]);
            Assert.Empty(errors);
        }
    }

    [Theory]
    [InlineData(1280, 900, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task SignInPage_DesktopAndPhone_FitsAndScreenshotIsSaved(int width, int height, string device)
    {
        var (context, page, errors) = await rig.NewPageAsync(width, height, "401");
        await using (context)
        {
            await page.GotoAsync(rig.Server.BaseAddress + "login");
            Assert.Equal("user", await page.EvaluateAsync<string>("() => document.activeElement.id"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = SignInBrowserFixture.ScreenshotPath($"signin-{device}.png"), FullPage = true });
            await page.Keyboard.PressAsync("Tab");
            Assert.Equal("password", await page.EvaluateAsync<string>("() => document.activeElement.id"));
            await page.Keyboard.PressAsync("Tab");
            Assert.Equal("submit", await page.EvaluateAsync<string>("() => document.activeElement.id"));

            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"the sign-in page is {overflow} px wider than the {device} viewport");

            await page.Locator("#user").FillAsync("anna");
            await page.Locator("#password").FillAsync("wrong-password");
            await page.Keyboard.PressAsync("Enter");
            await page.Locator("#error").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = SignInBrowserFixture.ScreenshotPath($"signin-error-{device}.png"), FullPage = true });
            Assert.Empty(errors);
        }
    }

    private static async Task<(int Status, JsonElement Body)> FetchAsync(IPage page, string path)
    {
        var result = await page.EvaluateAsync<JsonElement>(
            "async path => { const r = await fetch(path, { cache: 'no-store' }); return { status: r.status, text: await r.text() }; }", path);
        var text = result.GetProperty("text").GetString() ?? string.Empty;
        using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (result.GetProperty("status").GetInt32(), doc.RootElement.Clone());
    }
}
