using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Telemetry.Ingest.Cli;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Sites;
using Telemetry.Ingest.Tests.Fixtures;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.Ingest.Tests.Auth;

[CollectionDefinition(Name)]
public sealed class SignInBrowserCollection : ICollectionFixture<SignInBrowserFixture>
{
    public const string Name = "ingest dashboard in a browser";
}

/// <summary>
/// A real VictoriaMetrics, and a telemetry-ingest started from a YAML file whose users were written by `add-user`
/// (anna: plant-a, olga: operator). Both sites' machines are written through the write API with their tokens, and
/// plant-a/hall/l1/plant-a-m1 also gets 60 back-dated temperature samples from an hour ago (values 100..159).
/// </summary>
public sealed class SignInBrowserFixture : IAsyncLifetime
{
    public const string AnnaPassword = "anna-browser-pass";
    public const string OlgaPassword = "olga-browser-pass";
    public const string HistoryMachine = "plant-a/hall/l1/plant-a-m1";

    private readonly TempDirectory _dir = new("signin-browser");
    private VictoriaMetricsPeer? _victoria;

    public IngestServer Server { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The first back-dated sample's time (ms): an hour before the fixture started; one every 10 s after it.</summary>
    public long FirstBackDatedMs { get; private set; }

    public async Task InitializeAsync()
    {
        _victoria = await VictoriaMetricsPeer.StartAsync();
        var file = _dir.Combine("ingest.yaml");
        await File.WriteAllTextAsync(file, string.Create(CultureInfo.InvariantCulture, $$"""
            # ingest for the browser tests
            listen: [http://127.0.0.1:0]
            store: { kind: victoriametrics, url: {{_victoria.BaseAddress}} }
            sites:
              - name: plant-a
                tokens: [{{SiteTokens.Hash(IngestTestKit.TokenA)}}]
              - name: plant-b
                tokens: [{{SiteTokens.Hash(IngestTestKit.TokenB)}}]

            """));
        AddUser(file, ["anna", "--site", "plant-a"], AnnaPassword);
        AddUser(file, ["olga", "--operator"], OlgaPassword);
        Server = await IngestServer.StartAsync(IngestConfigLoader.LoadFile(file), new IngestServerSettings { Loggers = NullLoggerFactory.Instance });

        await SignInRig.WriteBothSitesAsync(Server);
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        FirstBackDatedMs = nowMs - 3_600_000;
        var lines = new StringBuilder();
        for (var i = 0; i < 60; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"machine,area=hall,line=l1,machine=plant-a-m1,site=plant-a temperature={100 + i} {FirstBackDatedMs + (i * 10_000)}\n");
        }

        using (var http = IngestTestKit.Client(Server))
        using (var response = await IngestTestKit.WriteV2Async(http, IngestTestKit.TokenA, lines.ToString(), precision: "ms"))
        {
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"back-dated write: {response.StatusCode}");
        }

        await _victoria.ForceFlushAsync();
        (Playwright, Browser) = await Telemetry.EdgeAgent.Tests.Fixtures.Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (_victoria is not null)
        {
            await _victoria.DisposeAsync();
        }

        _dir.Dispose();
    }

    /// <summary>A fresh browser context (its own cookies) and page; errors collected except the ones listed.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewPageAsync(int width = 1280, int height = 900, params string[] allowed)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        void Add(string text)
        {
            if (!allowed.Any(a => text.Contains(a, StringComparison.Ordinal)))
            {
                lock (errors)
                {
                    errors.Add(text);
                }
            }
        }

        page.Console += (_, message) =>
        {
            // A failed load is reported below with its URL (and the browser's own favicon request is not the page's).
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                Add("console: " + message.Text);
            }
        };
        page.PageError += (_, error) => Add("page error: " + error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
            {
                Add($"HTTP {response.Status} {response.Url}");
            }
        };
        return (context, page, errors);
    }

    /// <summary>Opens the dashboard (redirected to /login), signs in with the keyboard only and waits for the plant.</summary>
    public async Task SignInAsync(IPage page, string user, string password)
    {
        await page.GotoAsync(Server.BaseAddress.ToString());
        await page.WaitForSelectorAsync("form#signin", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
        await page.Locator("#user").FocusAsync();
        await page.Keyboard.TypeAsync(user);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(password);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("article.tile", new PageWaitForSelectorOptions { Timeout = 30_000 });
    }

    /// <summary>tests/screenshots in the checkout (linked from the README).</summary>
    public static string ScreenshotPath(string name)
    {
        var root = typeof(SignInBrowserFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        var folder = root is null ? Path.Combine(AppContext.BaseDirectory, "screenshots") : Path.Combine(root, "tests", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    private static void AddUser(string file, string[] args, string password)
    {
        var exit = AddUserCommand.Run([.. args, "--config", file, "--iterations", "10000"], new StringReader(password + "\n"), TextWriter.Null, interactive: false);
        Assert.Equal(0, exit);
    }
}
