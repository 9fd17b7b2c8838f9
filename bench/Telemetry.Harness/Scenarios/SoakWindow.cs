namespace Telemetry.Harness.Scenarios;

/// <summary>One window of the soak (10 minutes by default): throughput, live latency, memory and CPU, loss so far.</summary>
public sealed record SoakWindow
{
    public int Index { get; init; }

    public DateTimeOffset StartUtc { get; init; }

    public double Seconds { get; init; }

    /// <summary>Samples the live subscriber received per second in the window.</summary>
    public double LiveSamplesPerSecond { get; init; }

    /// <summary>Samples found in the store per second of the ticks checked at the window's end.</summary>
    public double StoredSamplesPerSecond { get; init; }

    public double LiveP50Ms { get; init; } = double.NaN;

    public double LiveP99Ms { get; init; } = double.NaN;

    /// <summary>Resident memory at the window's end (VmRSS).</summary>
    public double EdgeRssMiB { get; init; }

    public double IngestRssMiB { get; init; }

    /// <summary>Average CPU in the window, percent of one core.</summary>
    public double EdgeCpuPercent { get; init; }

    public double IngestCpuPercent { get; init; }

    public double StoreCpuPercent { get; init; }

    public double PlcCpuPercent { get; init; }

    public long EdgeBacklog { get; init; }

    public long ExpectedSoFar { get; init; }

    public long LostSoFar { get; init; }

    public long DuplicatedSoFar { get; init; }
}

/// <summary>The soak's windows and the drift between its first and last window.</summary>
public sealed record SoakResult
{
    public required string Description { get; init; }

    public required IReadOnlyList<SoakWindow> Windows { get; init; }

    /// <summary>Every tick of the run, checked after the drain (the last window's figures are before it).</summary>
    public long Expected { get; init; }

    public long Lost { get; init; }

    public long Duplicated { get; init; }

    public long OffGrid { get; init; }

    public bool Passed => Lost == 0 && OffGrid == 0 && Windows.Count > 0;

    /// <summary>Last window's edge RSS against the first's, in percent; NaN with fewer than two windows.</summary>
    public double EdgeRssDriftPercent => Drift(w => w.EdgeRssMiB);

    public double IngestRssDriftPercent => Drift(w => w.IngestRssMiB);

    /// <summary>Last window's live p99 against the first's, in percent; NaN with fewer than two windows.</summary>
    public double LiveP99DriftPercent => Drift(w => w.LiveP99Ms);

    private double Drift(Func<SoakWindow, double> figure)
    {
        if (Windows.Count < 2)
        {
            return double.NaN;
        }

        var first = figure(Windows[0]);
        var last = figure(Windows[^1]);
        return first > 0 && !double.IsNaN(last) ? 100 * (last - first) / first : double.NaN;
    }
}
