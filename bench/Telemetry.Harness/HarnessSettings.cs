namespace Telemetry.Harness;

/// <summary>Load and durations of one harness run: the full run (the figures of bench/RESULTS.md) or --short (CI).</summary>
public sealed record HarnessSettings
{
    public bool Short { get; init; }

    public string OutDirectory { get; init; } = "harness-results";

    /// <summary>Only this scenario (by name), or every scenario when null.</summary>
    public string? Scenario { get; init; }

    /// <summary>OPC UA items on the simulated PLC; machine m{i/100}, tag t{i%100}.</summary>
    public int Items { get; init; }

    /// <summary>Every item steps once per this many ms (10 Hz at 100).</summary>
    public int LoadMs { get; init; } = 100;

    public TimeSpan Warmup { get; init; }

    /// <summary>Measured time under load before a fault (and the whole of the steady scenario).</summary>
    public TimeSpan Before { get; init; }

    /// <summary>Measured time under load after the fault was repaired.</summary>
    public TimeSpan After { get; init; }

    public TimeSpan StoreDown { get; init; }

    public TimeSpan Blackhole { get; init; }

    public TimeSpan SlowLink { get; init; }

    /// <summary>How long a killed process stays down.</summary>
    public TimeSpan Downtime { get; init; }

    public TimeSpan DrainTimeout { get; init; }

    /// <summary>How long the soak runs (--hours, default 8 h).</summary>
    public TimeSpan SoakDuration { get; init; } = TimeSpan.FromHours(8);

    /// <summary>The soak's reporting window (--window-minutes, default 10 min).</summary>
    public TimeSpan SoakWindow { get; init; } = TimeSpan.FromMinutes(10);

    public double SamplesPerSecond => Items * 1000.0 / LoadMs;

    public static HarnessSettings Full(string outDirectory, string? scenario) => new()
    {
        OutDirectory = outDirectory,
        Scenario = scenario,
        Items = 1000,
        Warmup = TimeSpan.FromSeconds(20),
        Before = TimeSpan.FromSeconds(120),
        After = TimeSpan.FromSeconds(60),
        StoreDown = TimeSpan.FromSeconds(60),
        Blackhole = TimeSpan.FromMinutes(5),
        SlowLink = TimeSpan.FromSeconds(60),
        Downtime = TimeSpan.FromSeconds(10),
        DrainTimeout = TimeSpan.FromMinutes(10),
    };

    public static HarnessSettings ShortRun(string outDirectory, string? scenario) => new()
    {
        Short = true,
        OutDirectory = outDirectory,
        Scenario = scenario,
        Items = 200,
        Warmup = TimeSpan.FromSeconds(5),
        Before = TimeSpan.FromSeconds(10),
        After = TimeSpan.FromSeconds(10),
        StoreDown = TimeSpan.FromSeconds(20),
        Blackhole = TimeSpan.FromSeconds(15),
        SlowLink = TimeSpan.FromSeconds(10),
        Downtime = TimeSpan.FromSeconds(3),
        DrainTimeout = TimeSpan.FromMinutes(2),
    };
}
