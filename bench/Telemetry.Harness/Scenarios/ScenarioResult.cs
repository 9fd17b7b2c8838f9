using Telemetry.Harness.Check;
using Telemetry.Harness.Measure;

namespace Telemetry.Harness.Scenarios;

/// <summary>CPU and memory of one process over the measured window.</summary>
public sealed record ProcessFigures(string Role, double CpuSeconds, double CpuSecondsPerMillion, double PeakRssMiB);

/// <summary>The figures of one scenario (one row of the report).</summary>
public sealed record ScenarioResult
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    public double MeasuredSeconds { get; init; }

    public required CheckResult Check { get; init; }

    public double SamplesPerSecond { get; init; }

    public double LiveP50 { get; init; }

    public double LiveP99 { get; init; }

    public double LiveP999 { get; init; }

    public double QueryableP50 { get; init; }

    public double QueryableP99 { get; init; }

    public double QueryableP999 { get; init; }

    public IReadOnlyList<ProcessFigures> Processes { get; init; } = [];

    /// <summary>Repair → fresh samples live and the spool backlog under 2 s of load; null without a fault or when it never recovered.</summary>
    public double? RecoverSeconds { get; init; }

    public bool IsFault { get; init; }

    /// <summary>Samples the edge reported as dropped by its spool budget.</summary>
    public long DroppedReported { get; init; }

    /// <summary>How the loss compares with what the edge reported dropped (the spool budget scenario).</summary>
    public DropAccount? Drops { get; init; }

    public string Note { get; init; } = string.Empty;

    public IReadOnlyList<SecondRow> Rows { get; init; } = [];

    /// <summary>
    /// Zero loss, except where the edge's spool budget dropped segments: there the loss must be within what it reported
    /// dropped, and nothing outside its dropped segments (<see cref="DropAccount.Exact"/>).
    /// </summary>
    public bool Passed => Check.Foreign == 0 && (DroppedReported > 0 ? Drops?.Exact ?? Check.Lost == DroppedReported : Check.Lost == 0);
}
