using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace Telemetry.EdgeAgent.Tests.Dashboard;

/// <summary>
/// The machine page (#/machine/&lt;key&gt;) in a real headless Chromium against the real `telemetry-edge demo`: reached
/// from its overview tile (mouse and keyboard), live uPlot charts whose last point advances, a fault injected into the
/// simulator shows in the header within 2 s and counts as a fault in today's figures (availability, MTBF, MTTR), history
/// ranges say they need the datacenter (the edge keeps none), alerts say their rules run in the datacenter, the source
/// link shows state and last sample age; no console error and no HTTP error at all; screenshots at desktop and phone width.
/// </summary>
[Collection(DemoCollection.Name)]
public class MachinePageBrowserTests(DemoFixture demo)
{
    private const string LastPointScript =
        "() => { const f = document.querySelector('#m-charts figure.chart[data-last-ts]'); return f ? Number(f.dataset.lastTs) : 0; }";

    [Fact]
    public async Task MachinePage_OpenedFromTile_ChartAdvancesLiveAndInjectedFaultShowsWithinTwoSeconds()
    {
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            var errors = Fixtures.BrowserErrors.Watch(page);
            await page.GotoAsync(demo.Agent.BaseAddress.ToString());
            var tile = page.Locator("article.tile[data-machine='cnc-01']");
            await tile.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            await page.WaitForSelectorAsync("#link.ok", new PageWaitForSelectorOptions { Timeout = 15_000 });
            await tile.ClickAsync();

            await page.WaitForSelectorAsync("#machine:not([hidden])", new PageWaitForSelectorOptions { Timeout = 5_000 });
            Assert.StartsWith("#/machine/", await page.EvaluateAsync<string>("() => location.hash"), StringComparison.Ordinal);
            Assert.Equal("cnc-01", await page.Locator("#m-name").InnerTextAsync());
            Assert.True(await page.Locator("#plant").IsHiddenAsync());

            var first = await WaitForLastPointAsync(page, after: 0);
            var later = await WaitForLastPointAsync(page, after: first);
            Assert.True(later > first, $"the chart's last point stayed at {first}");
            Assert.NotEmpty(await page.Locator("#m-values tr[data-tag]").AllAsync());

            try
            {
                var clock = Stopwatch.StartNew();
                await SimulatorAsync("cnc-01", "fault");
                await page.WaitForSelectorAsync("#m-head[data-state='fault']", new PageWaitForSelectorOptions { Timeout = 2_000 });
                clock.Stop();
                Assert.Contains("fault", await page.Locator("#m-state").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the fault took {clock.Elapsed} to show");
                await page.WaitForSelectorAsync("#m-timeline .seg[data-state='fault']", new PageWaitForSelectorOptions { Timeout = 2_000 });
            }
            finally
            {
                await SimulatorAsync("cnc-01", "repair");
            }

            // Today's figures (polled every 5 s) count the fault: availability below 100 %, MTBF and MTTR defined.
            await page.WaitForFunctionAsync(
                "() => Number(document.querySelector(\"#m-today [data-fact='faults']\")?.dataset.value) >= 1 && document.querySelector(\"#m-today [data-fact='mttr']\").dataset.value !== ''",
                null, new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 250 });
            var availability = double.Parse(await page.Locator("#m-today [data-fact='availability']").GetAttributeAsync("data-value") ?? "NaN", CultureInfo.InvariantCulture);
            Assert.InRange(availability, 0, 0.9999);
            Assert.Contains("%", await page.Locator("#m-today [data-fact='availability'] dd").InnerTextAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain("no fault", await page.Locator("#m-today [data-fact='mtbf'] dd").InnerTextAsync(), StringComparison.Ordinal);

            errors.AssertNone();
        }
    }

    [Theory]
    [InlineData(1280, 900, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task MachinePage_KeyboardFromTileAndHistoryRange_SaysHistoryNeedsDatacenterAndScreenshotIsSaved(int width, int height, string device)
    {
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
            var errors = Fixtures.BrowserErrors.Watch(page);
            await page.GotoAsync(demo.Agent.BaseAddress.ToString());
            var tile = page.Locator("article.tile[data-machine='press-01']");
            await tile.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            await tile.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForSelectorAsync("#machine:not([hidden])", new PageWaitForSelectorOptions { Timeout = 5_000 });
            Assert.Equal("press-01", await page.Locator("#m-name").InnerTextAsync());

            // Let the charts gather a few live points so the screenshot shows lines.
            await page.WaitForFunctionAsync(
                "() => [...document.querySelectorAll('#m-charts figure.chart')].some(f => Number(f.dataset.points) >= 8)",
                null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 250 });

            await page.Locator("#m-ranges button[data-range='24h']").ClickAsync();
            var note = page.Locator("#m-history-note");
            await note.WaitForAsync(new LocatorWaitForOptions { Timeout = 5_000 });
            Assert.Contains("history needs the datacenter", await note.InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal("true", await page.Locator("#m-ranges button[data-range='live']").GetAttributeAsync("aria-pressed"));
            await page.Locator("#m-alerts-note").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
            Assert.Contains("alert rules run in the datacenter", await page.Locator("#m-alerts-note").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal("No alerts", await page.Locator("#m-alerts li.none").InnerTextAsync());
            await page.Locator("#m-today [data-fact='availability'] dd:not(:text('…'))").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
            var link = await page.Locator("#m-link").InnerTextAsync();
            Assert.Matches(@"simulator\): connected, last sample \d+s ago", link);

            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"the page is {overflow} px wider than the {device} viewport");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Fixtures.Chromium.ScreenshotPath($"dashboard-machine-{device}.png"), FullPage = true });

            await page.Locator("#machine a.back").ClickAsync();
            await page.WaitForSelectorAsync("#plant:not([hidden])", new PageWaitForSelectorOptions { Timeout = 5_000 });
            errors.AssertNone();
        }
    }

    private static async Task<long> WaitForLastPointAsync(IPage page, long after)
    {
        var handle = await page.WaitForFunctionAsync(
            $"() => {{ const t = ({LastPointScript})(); return t > {after.ToString(CultureInfo.InvariantCulture)} ? t : 0; }}",
            null, new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 100 });
        return (long)await handle.JsonValueAsync<double>();
    }

    private async Task SimulatorAsync(string machine, string action)
    {
        using var response = await demo.Agent.Http.PostAsync(new Uri($"api/simulator/{machine}/{action}", UriKind.Relative), content: null, CancellationToken.None);
        response.EnsureSuccessStatusCode();
    }
}
