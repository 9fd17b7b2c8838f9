using Microsoft.Playwright;

namespace Telemetry.EdgeAgent.Tests.Dashboard;

/// <summary>The edge status view (#/edge) in a real headless Chromium against the real demo: sources, samples/s, spool, link.</summary>
[Collection(DemoCollection.Name)]
public class EdgeStatusBrowserTests(DemoFixture demo)
{
    [Theory]
    [InlineData(1280, 800, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task EdgeStatus_Demo_ShowsSourcesRateSpoolAndLinkAndScreenshotIsSaved(int width, int height, string device)
    {
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
            var errors = Fixtures.BrowserErrors.Watch(page);
            await page.GotoAsync(new Uri(demo.Agent.BaseAddress, "#/edge").ToString());
            await page.Locator("#edge-sources tr").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            var rate = page.Locator("#edge-facts [data-fact='Samples/s'] dd");
            await page.WaitForFunctionAsync("() => /^\\d+$/.test(document.querySelector(\"#edge-facts [data-fact='Samples/s'] dd\").textContent)", null, new PageWaitForFunctionOptions { Timeout = 10_000 });
            Assert.True(int.Parse(await rate.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0, "the demo writes samples, the page shows none per second");
            Assert.Contains("samples", await page.Locator("#edge-facts [data-fact='Spool backlog'] dd").InnerTextAsync(), StringComparison.Ordinal);
            Assert.NotEmpty(await page.Locator("#edge-facts [data-fact='Datacenter link'] dd").InnerTextAsync());
            Assert.True(await page.Locator("#plant").IsHiddenAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Fixtures.Chromium.ScreenshotPath($"dashboard-edge-status-{device}.png"), FullPage = true });
            errors.AssertNone();
        }
    }
}
