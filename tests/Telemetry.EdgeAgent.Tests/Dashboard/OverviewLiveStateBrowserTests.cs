using System.Diagnostics;
using Microsoft.Playwright;

namespace Telemetry.EdgeAgent.Tests.Dashboard;

/// <summary>
/// The plant overview in a real headless Chromium against the real `telemetry-edge demo` process, driven through the
/// demo's simulator controls: a fault shows within 2 s, a machine whose data stops is greyed as stale with its last-seen time.
/// </summary>
[Collection(DemoCollection.Name)]
public class OverviewLiveStateBrowserTests(DemoFixture demo)
{
    [Fact]
    public async Task Overview_FaultInjected_TileShowsFaultWithinTwoSeconds()
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
            try
            {
                var clock = Stopwatch.StartNew();
                await SimulatorAsync("cnc-01", "fault");
                await page.WaitForSelectorAsync("article.tile[data-machine='cnc-01'][data-state='fault']", new PageWaitForSelectorOptions { Timeout = 2_000 });
                clock.Stop();
                Assert.Contains("fault", await tile.Locator(".state").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the fault took {clock.Elapsed} to show");
            }
            finally
            {
                await SimulatorAsync("cnc-01", "repair");
            }

            errors.AssertNone();
        }
    }

    [Fact]
    public async Task Overview_MachinePaused_TileGreyedStaleWithLastSeenTime()
    {
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            var errors = Fixtures.BrowserErrors.Watch(page);
            await page.GotoAsync(demo.Agent.BaseAddress.ToString());
            var tile = page.Locator("article.tile[data-machine='oven-01']");
            await tile.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            try
            {
                await SimulatorAsync("oven-01", "pause");

                // The edge marks a machine stale after 10 s without samples; the page ages tiles on its own clock.
                await page.WaitForSelectorAsync("article.tile.stale[data-machine='oven-01']", new PageWaitForSelectorOptions { Timeout = 20_000 });
                var seen = await tile.Locator(".seen").InnerTextAsync();
                Assert.Contains("last seen", seen, StringComparison.OrdinalIgnoreCase);
                Assert.Equal("stale", await tile.GetAttributeAsync("data-state"));
                var opacity = await tile.EvaluateAsync<string>("e => getComputedStyle(e).opacity");
                Assert.NotEqual("1", opacity);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Fixtures.Chromium.ScreenshotPath("dashboard-overview-stale-desktop.png"), FullPage = true });
            }
            finally
            {
                await SimulatorAsync("oven-01", "resume");
            }

            await page.WaitForSelectorAsync("article.tile[data-machine='oven-01']:not(.stale)", new PageWaitForSelectorOptions { Timeout = 15_000 });
            errors.AssertNone();
        }
    }

    private async Task SimulatorAsync(string machine, string action)
    {
        using var response = await demo.Agent.Http.PostAsync(new Uri($"api/simulator/{machine}/{action}", UriKind.Relative), content: null, CancellationToken.None);
        response.EnsureSuccessStatusCode();
    }
}
