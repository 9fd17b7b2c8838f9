using Telemetry.Harness;
using Telemetry.Harness.Faults;
using Telemetry.Harness.Report;
using Telemetry.Harness.Scenarios;
using Telemetry.Testing;
using Xunit.Abstractions;

namespace Telemetry.Harness.Tests;

/// <summary>The harness in its CI short mode: the real PLC, edge, ingest and VictoriaMetrics, one fault (the store unreachable 20 s) under load.</summary>
public sealed class ShortModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StoreDown20s_UnderLoad_NothingLostEverySampleChecked()
    {
        using var dir = new TempDirectory("harness-test");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var settings = HarnessSettings.ShortRun(dir.Path, "store-down");
        using var log = new StringWriter();

        var result = await ScenarioRunner.RunAsync(settings, new StoreDownFault(), log, timeout.Token);

        output.WriteLine(log.ToString());
        var csv = CsvReport.Write(result, dir.Path);
        // 10 s before + 20 s down + 10 s after, at 10 ticks per second per item.
        Assert.True(result.Check.Expected >= settings.Items * 350, $"too few samples expected: {result.Check}");
        Assert.Equal(0, result.Check.Foreign);
        Assert.True(result.Check.Lost == 0, $"samples lost across a store outage: {result.Check}");
        Assert.Equal(result.Check.Expected, result.Check.Stored - result.Check.Duplicated);
        Assert.NotNull(result.RecoverSeconds);
        Assert.True(result.Rows.Count >= 35, "a row per measured second");
        Assert.True(File.ReadAllLines(csv).Length > 20);
    }
}
