using System.Globalization;
using Telemetry.Harness.Scenarios;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Report;

/// <summary>
/// Writes the scenario's chart as SVG and turns it into a PNG with headless Chromium (installed as a test peer;
/// no plotting package needed). Without Chromium the SVG stays and the reason is returned.
/// </summary>
public static class PlotRenderer
{
    public static async Task<string> WriteAsync(ScenarioResult result, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var svgPath = Path.GetFullPath(Path.Combine(directory, $"{result.Name}.svg"));
        var pngPath = Path.GetFullPath(Path.Combine(directory, $"{result.Name}.png"));
        var title = $"{result.Name}: {result.Description} — {result.SamplesPerSecond:N0} samples/s stored, lost {result.Check.Lost:N0}";
        await File.WriteAllTextAsync(svgPath, SvgChart.Render(title, result.Rows), cancellationToken);
        string chromium;
        try
        {
            chromium = PeerProcess.ResolveExecutable("chromium");
        }
        catch (FileNotFoundException)
        {
            return $"{svgPath} (no chromium for the PNG: run `bash tests/peers/install.sh`)";
        }

        using var profile = new TempDirectory("harness-chromium");
        var process = PeerProcess.Start("chromium", chromium,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile.Path}",
            $"--screenshot={pngPath}", "--window-size=1200,770", new Uri(svgPath).AbsoluteUri,
        ]);
        await using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return $"{svgPath} (chromium did not finish the PNG within 60 s)";
            }
        }

        return File.Exists(pngPath) ? pngPath : string.Create(CultureInfo.InvariantCulture, $"{svgPath} (chromium wrote no PNG: {process.Output})");
    }
}
