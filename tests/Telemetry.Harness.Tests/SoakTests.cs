using Telemetry.Harness.Measure;
using Telemetry.Harness.Scenarios;

namespace Telemetry.Harness.Tests;

public sealed class SoakTests
{
    [Fact]
    public void PercentileBetween_TwoSnapshots_OnlyWhatWasAddedBetween()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 100; i++)
        {
            histogram.Add(1000); // before the window: slow
        }

        var earlier = histogram.Snapshot();
        for (var i = 1; i <= 100; i++)
        {
            histogram.Add(i);
        }

        var later = histogram.Snapshot();

        Assert.Equal(50, LatencyHistogram.PercentileBetween(earlier, later, 0.5));
        Assert.Equal(99, LatencyHistogram.PercentileBetween(earlier, later, 0.99));
        Assert.True(double.IsNaN(LatencyHistogram.PercentileBetween(later, later, 0.5)));
    }

    [Fact]
    public void Drift_FirstAndLastWindow_PercentOfFirst()
    {
        var result = new SoakResult
        {
            Description = "test",
            Windows =
            [
                new SoakWindow { Index = 0, EdgeRssMiB = 100, IngestRssMiB = 200, LiveP99Ms = 40 },
                new SoakWindow { Index = 1, EdgeRssMiB = 150, IngestRssMiB = 100, LiveP99Ms = 10 },
                new SoakWindow { Index = 2, EdgeRssMiB = 105, IngestRssMiB = 190, LiveP99Ms = 50 },
            ],
        };

        Assert.Equal(5.0, result.EdgeRssDriftPercent, 6);
        Assert.Equal(-5.0, result.IngestRssDriftPercent, 6);
        Assert.Equal(25.0, result.LiveP99DriftPercent, 6);
        Assert.True(result.Passed);
    }

    [Fact]
    public void Drift_OneWindow_NotANumber()
    {
        var result = new SoakResult { Description = "test", Windows = [new SoakWindow { EdgeRssMiB = 100 }], Lost = 1 };

        Assert.True(double.IsNaN(result.EdgeRssDriftPercent));
        Assert.False(result.Passed);
    }

    [Fact]
    public void Defaults_NoLoadGiven_TenThousandItemsAtOneHertz()
    {
        var settings = SoakScenario.Defaults(HarnessSettings.Full("out", SoakScenario.Name), itemsGiven: false, loadGiven: false);

        Assert.Equal(10_000, settings.Items);
        Assert.Equal(1000, settings.LoadMs);
        Assert.Equal(10_000, settings.SamplesPerSecond);
        Assert.Equal(TimeSpan.FromHours(8), settings.SoakDuration);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.SoakWindow);
    }

    [Theory]
    [InlineData("--scenario", "steady", "--hours", "1")]
    [InlineData("--scenario", "soak", "--hours", "0")]
    [InlineData("--scenario", "soak", "--window-minutes", "x")]
    public async Task RunAsync_BadSoakArguments_UsageErrorNamingTheArgument(params string[] args)
    {
        using var log = new StringWriter();

        var code = await HarnessCommand.RunAsync(args, log, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("--hours", log.ToString(), StringComparison.Ordinal);
    }
}
