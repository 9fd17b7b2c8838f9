using System.Globalization;

namespace Telemetry.Core;

public enum SampleValueKind : byte
{
    /// <summary>No value (e.g. a Sparkplug is_null metric or a bad-quality read).</summary>
    Null = 0,
    Double = 1,
    Int64 = 2,
    Boolean = 3,
    String = 4,
}

/// <summary>
/// A tag's value: double, 64-bit integer, boolean or string. A small struct with no boxing: numbers live in one
/// 64-bit slot, strings in a reference.
/// </summary>
public readonly struct SampleValue : IEquatable<SampleValue>
{
    private readonly long _bits;
    private readonly string? _text;

    private SampleValue(SampleValueKind kind, long bits, string? text)
    {
        Kind = kind;
        _bits = bits;
        _text = text;
    }

    public SampleValueKind Kind { get; }

    public static SampleValue Null => default;

    public bool IsNull => Kind == SampleValueKind.Null;

    public static SampleValue FromDouble(double value) =>
        new(SampleValueKind.Double, BitConverter.DoubleToInt64Bits(value), null);

    public static SampleValue FromInt64(long value) => new(SampleValueKind.Int64, value, null);

    public static SampleValue FromBoolean(bool value) => new(SampleValueKind.Boolean, value ? 1 : 0, null);

    public static SampleValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new SampleValue(SampleValueKind.String, 0, value);
    }

    public double AsDouble() => Kind switch
    {
        SampleValueKind.Double => BitConverter.Int64BitsToDouble(_bits),
        SampleValueKind.Int64 => _bits,
        SampleValueKind.Boolean => _bits,
        _ => throw new InvalidOperationException($"A {Kind} value has no numeric value."),
    };

    public long AsInt64() => Kind is SampleValueKind.Int64 or SampleValueKind.Boolean
        ? _bits
        : throw new InvalidOperationException($"A {Kind} value is not an integer.");

    public bool AsBoolean() => Kind == SampleValueKind.Boolean
        ? _bits != 0
        : throw new InvalidOperationException($"A {Kind} value is not a boolean.");

    public string AsString() => Kind == SampleValueKind.String
        ? _text!
        : throw new InvalidOperationException($"A {Kind} value is not a string.");

    /// <summary>The raw 64-bit slot (double bits, integer, 0/1): for encoders that copy values without branching.</summary>
    public long RawBits => _bits;

    /// <summary>Rebuilds a value from <see cref="Kind"/> and <see cref="RawBits"/> (decoders of the spool format).</summary>
    public static SampleValue FromRaw(SampleValueKind kind, long bits, string? text) => kind switch
    {
        SampleValueKind.Null => Null,
        SampleValueKind.String => FromString(text ?? string.Empty),
        SampleValueKind.Boolean => FromBoolean(bits != 0),
        SampleValueKind.Double or SampleValueKind.Int64 => new SampleValue(kind, bits, null),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown sample value kind."),
    };

    public bool Equals(SampleValue other) =>
        Kind == other.Kind && _bits == other._bits && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SampleValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, _bits, _text);

    public static bool operator ==(SampleValue left, SampleValue right) => left.Equals(right);

    public static bool operator !=(SampleValue left, SampleValue right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        SampleValueKind.Null => "null",
        SampleValueKind.Double => AsDouble().ToString("R", CultureInfo.InvariantCulture),
        SampleValueKind.Int64 => _bits.ToString(CultureInfo.InvariantCulture),
        SampleValueKind.Boolean => _bits != 0 ? "true" : "false",
        _ => _text!,
    };
}
