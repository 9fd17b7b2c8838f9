using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;

namespace Telemetry.OpcUa.Encoding;

/// <summary>
/// An OPC UA status code (OPC 10000-4 §7.39): the top two bits say Good / Uncertain / Bad, bits 16..29 the code,
/// the low 16 bits info flags. Names and descriptions come from the official StatusCode.csv (embedded).
/// </summary>
public readonly record struct StatusCode(uint Code)
{
    public static readonly StatusCode Good = new(StatusCodes.Good);

    public bool IsGood => (Code & 0xC000_0000) == 0;

    public bool IsUncertain => (Code & 0xC000_0000) == 0x4000_0000;

    public bool IsBad => (Code & 0x8000_0000) != 0;

    /// <summary>The code without its info bits, as the table lists it.</summary>
    public uint CodeBits => Code & 0xFFFF_0000;

    /// <summary>The table name, e.g. "BadDecodingError" (or the hex value for an unknown code).</summary>
    public string Name => StatusCodeTable.TryGet(CodeBits, out var entry)
        ? entry.Name
        : "0x" + Code.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>The table description, e.g. "Decoding halted because of invalid data in the stream.".</summary>
    public string Description => StatusCodeTable.TryGet(CodeBits, out var entry) ? entry.Description : string.Empty;

    public static implicit operator StatusCode(uint code) => new(code);

    public static StatusCode FromUInt32(uint code) => new(code);

    public override string ToString() =>
        (Code & 0xFFFF) == 0 ? Name : $"{Name} (0x{Code.ToString("X8", CultureInfo.InvariantCulture)})";
}

/// <summary>The official status code table (StatusCode.csv, OPC Foundation MIT licence), loaded once.</summary>
internal static class StatusCodeTable
{
    private static readonly Lazy<FrozenDictionary<uint, (string Name, string Description)>> s_table = new(Load);

    public static int Count => s_table.Value.Count;

    public static bool TryGet(uint code, out (string Name, string Description) entry) => s_table.Value.TryGetValue(code, out entry);

    private static FrozenDictionary<uint, (string Name, string Description)> Load()
    {
        using var stream = typeof(StatusCodeTable).Assembly.GetManifestResourceStream("Telemetry.OpcUa.StatusCode.csv")
            ?? throw new InvalidOperationException("StatusCode.csv is not embedded in Telemetry.OpcUa.");
        using var reader = new StreamReader(stream);
        var table = new Dictionary<uint, (string, string)>();
        while (reader.ReadLine() is { } line)
        {
            // Name,0xHEX,"Description"
            var first = line.IndexOf(',', StringComparison.Ordinal);
            if (first <= 0)
            {
                continue;
            }

            var second = line.IndexOf(',', first + 1);
            var hex = line[(first + 1)..(second < 0 ? line.Length : second)];
            if (!uint.TryParse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var description = second < 0 ? string.Empty : line[(second + 1)..].Trim('"');
            table[value] = (line[..first], description);
        }

        return table.ToFrozenDictionary();
    }

    internal static Assembly Assembly => typeof(StatusCodeTable).Assembly;
}
