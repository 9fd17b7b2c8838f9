namespace Telemetry.Ingest.History;

/// <summary>
/// Which machine(s) a history query reads: a site (null: every site, operators only), and either the full
/// site/area/line/machine key (area and line may be empty) or a machine name alone (any area and line).
/// </summary>
public sealed record MachineSelector(string? Site, string? Area, string? Line, string Machine)
{
    /// <summary>True when area and line are named (the selector came from a full key).</summary>
    public bool IsFullKey => Area is not null && Line is not null;
}

/// <summary>One history request: tags of the selected machine(s) between two instants (ms, inclusive), about <see cref="Points"/> points.</summary>
public sealed record HistoryQuery(MachineSelector Machine, IReadOnlyList<string> Tags, long FromMs, long ToMs, int Points);

/// <summary>One value of a series: a double, long, bool or string (boxed; history is a read path, not a hot path).</summary>
public readonly record struct HistoryPoint(long TimeMs, object? Value);

/// <summary>The points of one tag of one machine, oldest first.</summary>
public sealed record HistorySeries(string MachineKey, string Tag, IReadOnlyList<HistoryPoint> Points)
{
    /// <summary>The bucket width when the series was downsampled (mean of numbers, last of strings and booleans), else null.</summary>
    public long? IntervalMs { get; init; }
}

/// <summary>A store could not answer a history query; <see cref="StatusCode"/> is what the API answers.</summary>
public sealed class HistoryException(int statusCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    public bool IsTransient => StatusCode is 502 or 503 or 504;
}
