using System.Text;

namespace Telemetry.LineProtocol;

/// <summary>How a piece of text was escaped on the wire.</summary>
internal enum EscapeKind : byte
{
    /// <summary>Measurement: <c>\,</c> and <c>\ </c>.</summary>
    Measurement = 0,

    /// <summary>Tag key, tag value: <c>\,</c> <c>\=</c> <c>\ </c> (InfluxDB 1.x unescapeTag).</summary>
    Key = 1,

    /// <summary>String field value: <c>\"</c> and <c>\\</c>.</summary>
    String = 2,

    /// <summary>Field key: <c>\,</c> <c>\=</c> <c>\ </c> and <c>\"</c> (InfluxDB 1.x pkg/escape.Unescape).</summary>
    FieldKey = 3,
}

/// <summary>
/// A name or string value of a parsed line: the escaped bytes as they stand in the input (<see cref="Raw"/>) and
/// allocation-free access to the unescaped UTF-8 (<see cref="CopyTo"/>, <see cref="EqualsUtf8"/>). The unescaped
/// form is never longer than <see cref="Raw"/>. Valid while the parsed input is.
/// </summary>
public readonly ref struct LineProtocolText
{
    private readonly EscapeKind _kind;

    internal LineProtocolText(ReadOnlySpan<byte> raw, bool escaped, EscapeKind kind)
    {
        Raw = raw;
        IsEscaped = escaped;
        _kind = kind;
    }

    /// <summary>The bytes as written on the wire, escapes included (already checked to be valid UTF-8).</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>True when <see cref="Raw"/> contains a backslash (it may need unescaping).</summary>
    public bool IsEscaped { get; }

    /// <summary>Unescapes into <paramref name="destination"/> (at least <c>Raw.Length</c> bytes always suffice);
    /// returns the byte count.</summary>
    public int CopyTo(Span<byte> destination)
    {
        if (!IsEscaped)
        {
            Raw.CopyTo(destination);
            return Raw.Length;
        }

        var written = 0;
        var raw = Raw;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == (byte)'\\' && i + 1 < raw.Length && IsEscapable(raw[i + 1]))
            {
                c = raw[++i];
            }

            destination[written++] = c;
        }

        return written;
    }

    /// <summary>Compares the unescaped text with UTF-8 bytes, without copying.</summary>
    public bool EqualsUtf8(ReadOnlySpan<byte> utf8)
    {
        if (!IsEscaped)
        {
            return Raw.SequenceEqual(utf8);
        }

        var raw = Raw;
        var j = 0;
        for (var i = 0; i < raw.Length; i++, j++)
        {
            var c = raw[i];
            if (c == (byte)'\\' && i + 1 < raw.Length && IsEscapable(raw[i + 1]))
            {
                c = raw[++i];
            }

            if (j >= utf8.Length || utf8[j] != c)
            {
                return false;
            }
        }

        return j == utf8.Length;
    }

    /// <summary>The unescaped text as a string (allocates).</summary>
    public override string ToString()
    {
        if (!IsEscaped)
        {
            return Encoding.UTF8.GetString(Raw);
        }

        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Raw.Length);
        try
        {
            var length = CopyTo(rented);
            return Encoding.UTF8.GetString(rented, 0, length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool IsEscapable(byte next) => _kind switch
    {
        EscapeKind.Measurement => next is (byte)',' or (byte)' ',
        EscapeKind.Key => next is (byte)',' or (byte)'=' or (byte)' ',
        EscapeKind.FieldKey => next is (byte)',' or (byte)'=' or (byte)' ' or (byte)'"',
        _ => next is (byte)'"' or (byte)'\\',
    };
}
