using Microsoft.Playwright;

namespace Telemetry.EdgeAgent.Tests;

/// <summary>The demo's live page in a real headless Chromium: what a person opening http://127.0.0.1:8080 sees.</summary>
[Collection(DemoCollection.Name)]
public class DemoPageBrowserTests(DemoFixture demo)
{
    [Fact]
    public async Task LivePage_Demo_ShowsEveryMachineAndScreenshotIsSaved()
    {
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
            await page.GotoAsync(demo.Agent.BaseAddress.ToString());
            foreach (var name in new[] { "cnc-01", "press-01", "oven-01" })
            {
                await page.Locator($"article.tile[data-machine='{name}'] .name").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
                Assert.Equal(name, await page.Locator($"article.tile[data-machine='{name}'] .name").InnerTextAsync());
            }

            await page.WaitForSelectorAsync("#link.ok", new PageWaitForSelectorOptions { Timeout = 15_000 });
            var path = Fixtures.Chromium.ScreenshotPath("demo-overview-desktop.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            Assert.True(new FileInfo(path).Length > 10_000, "the screenshot is suspiciously small");
        }
    }

    [Fact]
    public async Task LivePage_Demo_ValuesUpdateLiveWithoutReload()
    {
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(demo.Agent.BaseAddress.ToString());
            var cell = page.Locator("article.tile[data-machine='press-01'] dd[data-tag='oil_temperature']");
            await cell.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            var texts = new HashSet<string>();
            var all = page.Locator("article.tile dd");
            var before = string.Join('|', await all.AllInnerTextsAsync());
            var changed = false;
            for (var i = 0; i < 40 && !changed; i++)
            {
                await Task.Delay(250);
                changed = string.Join('|', await all.AllInnerTextsAsync()) != before;
            }

            Assert.True(changed, "no value on the page changed within 10 s");
        }
    }

    [Fact]
    public async Task LivePage_Phone_TilesStackAndScreenshotIsSaved()
    {
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
            await page.GotoAsync(demo.Agent.BaseAddress.ToString());
            await page.Locator("article.tile[data-machine='oven-01']").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            var box = await page.Locator("article.tile").First.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box!.Width <= 390, $"a tile is {box.Width}px wide on a 390px phone");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Fixtures.Chromium.ScreenshotPath("demo-overview-phone.png"), FullPage = true });
        }
    }
}
