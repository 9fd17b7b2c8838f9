namespace Telemetry.LineProtocol;

/// <summary>
/// Every size the parser accepts, checked while scanning and before anything grows (DESIGN.md §2).
/// Immutable; validated when built.
/// </summary>
public sealed record LineProtocolLimits
{
    private readonly int _maxLineLength = 4 * 1024 * 1024;
    private readonly int _maxTags = 256;
    private readonly int _maxFields = 1024;
    private readonly int _maxNameLength = 65_535;
    private readonly int _maxStringLength = 1024 * 1024;

    public static LineProtocolLimits Default { get; } = new();

    /// <summary>Bytes of one line without its newline (default 4 MiB).</summary>
    public int MaxLineLength { get => _maxLineLength; init => _maxLineLength = Check(value, 16, 1 << 30); }

    /// <summary>Tags per line (default 256).</summary>
    public int MaxTags { get => _maxTags; init => _maxTags = Check(value, 0, 65_536); }

    /// <summary>Fields per line (default 1024).</summary>
    public int MaxFields { get => _maxFields; init => _maxFields = Check(value, 1, 65_536); }

    /// <summary>Escaped bytes of a measurement, tag key, tag value or field key (default 65,535, InfluxDB's MaxKeyLength).</summary>
    public int MaxNameLength { get => _maxNameLength; init => _maxNameLength = Check(value, 1, 1 << 30); }

    /// <summary>Escaped bytes of a string field value between its quotes (default 1 MiB).</summary>
    public int MaxStringLength { get => _maxStringLength; init => _maxStringLength = Check(value, 0, 1 << 30); }

    private static int Check(int value, int min, int max, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }

        return value;
    }
}
