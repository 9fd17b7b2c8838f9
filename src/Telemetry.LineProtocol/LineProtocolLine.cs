using System.Runtime.InteropServices;

namespace Telemetry.LineProtocol;

[StructLayout(LayoutKind.Auto)]
internal struct TagSlot
{
    public int KeyStart;
    public int KeyLength;
    public int ValueStart;
    public int ValueLength;
    public bool KeyEscaped;
    public bool ValueEscaped;
}

[StructLayout(LayoutKind.Auto)]
internal struct FieldSlot
{
    public int KeyStart;
    public int KeyLength;
    public int ValueStart;
    public int ValueLength;
    public long Bits;
    public LineProtocolFieldType Type;
    public bool KeyEscaped;
    public bool ValueEscaped;
}

/// <summary>
/// One parsed line: a view over the input, valid until the next read from the same parser. Values were checked
/// while parsing (syntax, range, UTF-8), so the accessors cannot fail except for asking the wrong type.
/// </summary>
public readonly ref struct LineProtocolLine
{
    private readonly ReadOnlySpan<byte> _input;
    private readonly ReadOnlySpan<TagSlot> _tags;
    private readonly ReadOnlySpan<FieldSlot> _fields;
    private readonly int _measurementStart;
    private readonly int _measurementLength;
    private readonly bool _measurementEscaped;

    internal LineProtocolLine(
        ReadOnlySpan<byte> input,
        int measurementStart,
        int measurementLength,
        bool measurementEscaped,
        ReadOnlySpan<TagSlot> tags,
        ReadOnlySpan<FieldSlot> fields,
        bool hasTimestamp,
        long timestamp,
        long unixNanoseconds,
        int lineNumber,
        int start,
        int length)
    {
        _input = input;
        _measurementStart = measurementStart;
        _measurementLength = measurementLength;
        _measurementEscaped = measurementEscaped;
        _tags = tags;
        _fields = fields;
        HasTimestamp = hasTimestamp;
        Timestamp = timestamp;
        UnixNanoseconds = unixNanoseconds;
        LineNumber = lineNumber;
        Raw = input.Slice(start, length);
    }

    /// <summary>The line as written, without its newline.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>1-based physical line where this line starts.</summary>
    public int LineNumber { get; }

    public LineProtocolText Measurement =>
        new(_input.Slice(_measurementStart, _measurementLength), _measurementEscaped, EscapeKind.Measurement);

    public int TagCount => _tags.Length;

    public int FieldCount => _fields.Length;

    public bool HasTimestamp { get; }

    /// <summary>The timestamp as written (in the reader's precision); 0 when there is none.</summary>
    public long Timestamp { get; }

    /// <summary>The timestamp in Unix nanoseconds; 0 when there is none.</summary>
    public long UnixNanoseconds { get; }

    public LineProtocolTagView GetTag(int index)
    {
        ref readonly var slot = ref _tags[index];
        return new LineProtocolTagView(
            new LineProtocolText(_input.Slice(slot.KeyStart, slot.KeyLength), slot.KeyEscaped, EscapeKind.Key),
            new LineProtocolText(_input.Slice(slot.ValueStart, slot.ValueLength), slot.ValueEscaped, EscapeKind.Key));
    }

    public LineProtocolFieldView GetField(int index)
    {
        ref readonly var slot = ref _fields[index];
        return new LineProtocolFieldView(
            new LineProtocolText(_input.Slice(slot.KeyStart, slot.KeyLength), slot.KeyEscaped, EscapeKind.FieldKey),
            slot.Type,
            slot.Bits,
            _input.Slice(slot.ValueStart, slot.ValueLength),
            slot.ValueEscaped);
    }

    /// <summary>Index of the tag whose unescaped key equals <paramref name="utf8Key"/>, or -1.</summary>
    public int IndexOfTag(ReadOnlySpan<byte> utf8Key)
    {
        for (var i = 0; i < _tags.Length; i++)
        {
            ref readonly var slot = ref _tags[i];
            if (new LineProtocolText(_input.Slice(slot.KeyStart, slot.KeyLength), slot.KeyEscaped, EscapeKind.Key).EqualsUtf8(utf8Key))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>A tag of a parsed line.</summary>
public readonly ref struct LineProtocolTagView
{
    internal LineProtocolTagView(LineProtocolText key, LineProtocolText value)
    {
        Key = key;
        Value = value;
    }

    public LineProtocolText Key { get; }

    public LineProtocolText Value { get; }
}

/// <summary>A field of a parsed line; the typed accessors throw <see cref="InvalidOperationException"/> when
/// asked for another type than <see cref="Type"/>.</summary>
public readonly ref struct LineProtocolFieldView
{
    private readonly long _bits;
    private readonly ReadOnlySpan<byte> _rawValue;
    private readonly bool _valueEscaped;

    internal LineProtocolFieldView(LineProtocolText key, LineProtocolFieldType type, long bits, ReadOnlySpan<byte> rawValue, bool valueEscaped)
    {
        Key = key;
        Type = type;
        _bits = bits;
        _rawValue = rawValue;
        _valueEscaped = valueEscaped;
    }

    public LineProtocolText Key { get; }

    public LineProtocolFieldType Type { get; }

    /// <summary>The value as written (for strings: between the quotes, still escaped).</summary>
    public ReadOnlySpan<byte> RawValue => _rawValue;

    public double FloatValue => Type == LineProtocolFieldType.Float ? BitConverter.Int64BitsToDouble(_bits) : Wrong<double>();

    public long IntegerValue => Type == LineProtocolFieldType.Integer ? _bits : Wrong<long>();

    public ulong UnsignedValue => Type == LineProtocolFieldType.Unsigned ? (ulong)_bits : Wrong<ulong>();

    public bool BooleanValue => Type == LineProtocolFieldType.Boolean ? _bits != 0 : Wrong<bool>();

    public LineProtocolText StringValue => Type == LineProtocolFieldType.String
        ? new LineProtocolText(_rawValue, _valueEscaped, EscapeKind.String)
        : throw new InvalidOperationException($"The field is {Type}, not String.");

    private T Wrong<T>() => throw new InvalidOperationException($"The field is {Type}, not {typeof(T).Name}.");
}
