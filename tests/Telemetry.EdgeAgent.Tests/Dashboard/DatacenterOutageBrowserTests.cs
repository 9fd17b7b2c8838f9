using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Telemetry.EdgeAgent.Tests.Fixtures;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Sites;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests.Dashboard;

/// <summary>
/// The real `telemetry-edge run` forwarding a simulator to a real telemetry-ingest (null store), in a real headless
/// Chromium: stopping the ingest keeps the edge's own page live (values still change) while the edge status view shows
/// the datacenter link down and the spool backlog rising (read twice, it grows). No console or HTTP error on the page.
/// </summary>
public class DatacenterOutageBrowserTests
{
    private const string Site = "plant-dc";
    private const string Token = "dc00000000000000000000000000000000000000000000000000000000000000";

    [Fact]
    public async Task EdgeStatus_DatacenterStopped_EdgeViewStaysLiveAndBacklogRises()
    {
        using var dir = new TempDirectory("edge-outage");
        var ingestPort = FreePort.Get();
        var ingest = await IngestServer.StartAsync(
            new IngestOptions
            {
                Listen = [new Uri($"http://127.0.0.1:{ingestPort}")],
                Sites = [new SiteOptions { Name = Site, TokenHashes = [SiteTokens.Hash(Token)] }],
                Store = new StoreOptions { Kind = StoreKind.Null },
            },
            new IngestServerSettings { Loggers = NullLoggerFactory.Instance });
        var ingestRunning = true;
        try
        {
            var port = FreePort.Get();
            var tokenFile = dir.Combine("token");
            await File.WriteAllTextAsync(tokenFile, Token);
            var config = dir.Combine("edge.yaml");
            await File.WriteAllTextAsync(config, $"""
                edge:
                  id: edge-outage-test
                  site: {Site}
                  data_dir: {dir.Combine("data")}
                web:
                  listen: 127.0.0.1:{port}
                datacenter:
                  kind: telemetry-ingest
                  url: http://127.0.0.1:{ingestPort}/
                  token: {"{"} file: {tokenFile} {"}"}
                sources:
                  - name: sim
                    type: simulator
                    interval: 100ms
                    machines:
                      - {"{"} name: cnc-01, profile: cnc-mill, area: machining, line: line-1 {"}"}
                """);
            var agent = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentProcess.AgentDll, "run", "--config", config]);
            await using (agent)
            {
                var baseAddress = new Uri($"http://127.0.0.1:{port}/");
                var (playwright, browser) = await Chromium.LaunchAsync();
                using (playwright)
                await using (browser)
                {
                    var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
                    var errors = BrowserErrors.Watch(page);
                    await GotoWhenUpAsync(page, new Uri(baseAddress, "#/edge"), agent);
                    await page.WaitForFunctionAsync(
                        "() => document.querySelector(\"#edge-facts [data-fact='Datacenter link'] dd\")?.textContent.startsWith('connected')",
                        null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 250 });

                    await ingest.DisposeAsync();
                    ingestRunning = false;

                    await page.WaitForFunctionAsync(
                        "() => !document.querySelector(\"#edge-facts [data-fact='Datacenter link'] dd\")?.textContent.startsWith('connected')",
                        null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 250 });
                    var first = await BacklogAsync(page);
                    await Task.Delay(4_500); // the view polls /api/edge every 2 s
                    var second = await BacklogAsync(page);
                    Assert.True(second > first && first > 0, $"the spool backlog did not rise while the datacenter was down: {first} then {second}");
                    Assert.NotEqual("none", await page.Locator("#edge-facts [data-fact='Oldest unsent sample'] dd").InnerTextAsync());
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Chromium.ScreenshotPath("dashboard-edge-status-outage-desktop.png"), FullPage = true });

                    // The edge's own live view keeps going: the page's link is live and the machine's values change.
                    await page.GotoAsync(baseAddress.ToString());
                    var tile = page.Locator("article.tile[data-machine='cnc-01']");
                    await tile.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
                    await page.WaitForSelectorAsync("#link.ok", new PageWaitForSelectorOptions { Timeout = 15_000 });
                    var before = string.Join('|', await tile.Locator("dd").AllInnerTextsAsync());
                    var changed = false;
                    for (var i = 0; i < 40 && !changed; i++)
                    {
                        await Task.Delay(250);
                        changed = string.Join('|', await tile.Locator("dd").AllInnerTextsAsync()) != before;
                    }

                    Assert.True(changed, "no value of the edge's live page changed within 10 s of the datacenter going down");
                    Assert.NotEqual("stale", await tile.GetAttributeAsync("data-state"));
                    errors.AssertNone();
                }
            }
        }
        finally
        {
            if (ingestRunning)
            {
                await ingest.DisposeAsync();
            }
        }
    }

    private static async Task<long> BacklogAsync(IPage page)
    {
        var text = await page.Locator("#edge-facts [data-fact='Spool backlog'] dd").InnerTextAsync();
        return long.Parse(text.Replace(" samples", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
    }

    private static async Task GotoWhenUpAsync(IPage page, Uri uri, PeerProcess agent)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.False(agent.HasExited, agent.Output);
            try
            {
                using var response = await http.GetAsync(new Uri(uri, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"telemetry-edge did not answer /health within 30 s: {agent.Output}");
            await Task.Delay(200);
        }

        await page.GotoAsync(uri.ToString());
    }
}
