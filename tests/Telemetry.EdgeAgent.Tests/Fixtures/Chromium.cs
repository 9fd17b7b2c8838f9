using Microsoft.Playwright;

namespace Telemetry.EdgeAgent.Tests.Fixtures;

/// <summary>
/// Playwright for .NET driving Debian's Chromium (/usr/bin/chromium, installed by tests/peers/install.sh): the
/// browser build Playwright would download is not reachable here, and the system one is what users have.
/// </summary>
public static class Chromium
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("TELEMETRY_CHROMIUM") ?? "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException($"Chromium is not installed at {ExecutablePath}. Run `bash tests/peers/install.sh`.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
            ],
        });
        return (playwright, browser);
    }

    /// <summary>Where screenshots go: tests/screenshots in the checkout (linked from the README).</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Telemetry.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        var folder = dir is null
            ? Path.Combine(AppContext.BaseDirectory, "screenshots")
            : Path.Combine(dir, "tests", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
