using Microsoft.Playwright;

namespace Telemetry.EdgeAgent.Tests.Dashboard;

/// <summary>
/// Alerts on the machine page, against <see cref="SyntheticPlantServer"/> (the ingest's alert API shape; the demo edge
/// raises no alerts): active and recent alerts, an Acknowledge button reached and pressed from the keyboard that calls
/// the ack API and then shows who acknowledged and when, and today's availability, MTBF and MTTR as the API gives them.
/// </summary>
public class AlertAcknowledgeBrowserTests
{
    [Theory]
    [InlineData(1280, 900, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task MachinePage_ActiveAlert_AcknowledgedFromKeyboardShowsWhoAndWhen(int width, int height, string device)
    {
        var key = SyntheticPlantServer.MachineKey(0);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        SyntheticAlert[] alerts =
        [
            new(2, key, "critical", "spindle load 131 above 120", now - 90_000, null),
            new(1, key, "warning", "coolant temperature 41.2 above 40", now - 3_600_000, now - 3_000_000) { AcknowledgedBy = "ops:anna", AcknowledgedAt = now - 3_300_000 },
            new(3, SyntheticPlantServer.MachineKey(1), "critical", "another machine's alert", now - 10_000, null),
        ];
        await using var server = await SyntheticPlantServer.StartAsync(3, 6, TimeSpan.FromSeconds(1), alerts);
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
            var errors = Fixtures.BrowserErrors.Watch(page);
            await page.GotoAsync(new Uri(server.BaseAddress, "#/machine/" + Uri.EscapeDataString(key)).ToString());
            var active = page.Locator("#m-alerts li[data-alert='2']");
            await active.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            Assert.Equal(2, await page.Locator("#m-alerts li[data-alert]").CountAsync());
            Assert.Contains("ACTIVE", await active.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("spindle load 131 above 120", await active.InnerTextAsync(), StringComparison.Ordinal);
            var ended = page.Locator("#m-alerts li[data-alert='1']");
            Assert.Contains("ended", await ended.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("Acknowledged by ops:anna", await ended.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await ended.Locator("button").CountAsync());

            // Today's figures as the API gives them.
            await page.Locator("#m-today [data-fact='availability'] dd:not(:text('…'))").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
            Assert.Equal("83.3 %", await page.Locator("#m-today [data-fact='availability'] dd").InnerTextAsync());
            Assert.Equal("25m 0s", await page.Locator("#m-today [data-fact='mtbf'] dd").InnerTextAsync());
            Assert.Equal("2m 30s", await page.Locator("#m-today [data-fact='mttr'] dd").InnerTextAsync());
            Assert.Equal("2", await page.Locator("#m-today [data-fact='faults'] dd").InnerTextAsync());
            Assert.Matches(@"plc-1 \(OPC UA\): connected, last sample \d+s ago", await page.Locator("#m-link").InnerTextAsync());

            // Keyboard: the button is in the tab order (a real <button>); Tab reaches it from the control before it.
            var button = active.Locator("button.ack");
            Assert.Equal("Acknowledge", await button.InnerTextAsync());
            await page.Locator("#m-ranges button[data-range='live']").FocusAsync();
            await page.Keyboard.PressAsync("Shift+Tab");
            var reached = false;
            for (var i = 0; i < 6 && !reached; i++)
            {
                reached = await button.EvaluateAsync<bool>("b => document.activeElement === b");
                if (!reached)
                {
                    await page.Keyboard.PressAsync("Shift+Tab");
                }
            }

            Assert.True(reached, "Shift+Tab from the chart ranges did not reach the Acknowledge button");
            if (device == "desktop")
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Fixtures.Chromium.ScreenshotPath("dashboard-machine-alerts-desktop.png"), FullPage = true });
            }

            await page.Keyboard.PressAsync("Enter");
            var acked = active.Locator(".acked");
            await acked.WaitForAsync(new LocatorWaitForOptions { Timeout = 5_000 });
            Assert.Matches($@"Acknowledged by {SyntheticPlantServer.AcknowledgedByName} at \d{{1,2}}:\d{{2}}:\d{{2}}", await acked.InnerTextAsync());
            Assert.Equal(1, server.Acknowledgements);
            Assert.Equal(0, await active.Locator("button").CountAsync());
            Assert.True(await acked.EvaluateAsync<bool>("e => document.activeElement === e"), "focus was lost after acknowledging");
            if (device == "phone")
            {
                var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"the page is {overflow} px wider than the phone viewport");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Fixtures.Chromium.ScreenshotPath("dashboard-machine-alerts-phone.png"), FullPage = true });
            }

            errors.AssertNone();
        }
    }
}
