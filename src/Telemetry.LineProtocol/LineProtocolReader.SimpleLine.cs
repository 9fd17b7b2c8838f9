using System.Runtime.CompilerServices;

namespace Telemetry.LineProtocol;

/// <summary>
/// The reader's simple-line path: most lines (the edge's own, a sensor's) are short, plain ASCII, without escapes,
/// strings or CR. For such a line the delimiter masks of <see cref="SimpleLineMasks"/> give every token boundary
/// at once, so the line is read by walking those bits, in a small frame. Anything else — an escape, a string,
/// a missing or doubled token, a value that does not parse, a limit reached — makes it return false before it
/// has changed any state, and <see cref="ParsePoint"/> reads the line (and reports its error) from the start.
/// Both paths give the same result for every line; the tests compare them.
/// </summary>
public ref partial struct LineProtocolReader
{
    [MethodImpl(MethodImplOptions.NoInlining)] // its own small frame; inlined, it overflows the caller's inlining budget
    private bool TryReadSimpleLine(int pos, int start, out LineProtocolLine line)
    {
        line = default;
        var parser = _parser;
        if (!parser.SimpleLinePath)
        {
            return false;
        }

        var masks = default(SimpleLineMasks);
        if (!masks.TryClassify(_input, start))
        {
            return false;
        }

        var limits = parser.Limits;
        var length = masks.Length;
        if (start + length - pos > limits.MaxLineLength)
        {
            return false;
        }

        var text = _input.Slice(start, length);

        // ---- measurement: up to the first ',' or ' ' ----
        var p = masks.Next();
        if (p == SimpleLineMasks.None || p == 0 || p > limits.MaxNameLength)
        {
            return false;
        }

        var c = text[p];
        if (c == (byte)'=')
        {
            return false;
        }

        var measurementLength = p;

        // ---- tags: ("," key "=" value)* ----
        var tags = parser.TagSlots(0);
        var tagCount = 0;
        while (c == (byte)',')
        {
            var keyStart = p + 1;
            var equals = masks.Next();
            if (equals == SimpleLineMasks.None || equals == keyStart || text[equals] != (byte)'=')
            {
                return false;
            }

            var valueStart = equals + 1;
            p = masks.Next();
            if (p == SimpleLineMasks.None || p == valueStart)
            {
                return false;
            }

            c = text[p];
            if (c == (byte)'=' || equals - keyStart > limits.MaxNameLength || p - valueStart > limits.MaxNameLength
                || tagCount >= limits.MaxTags || tagCount == tags.Length)
            {
                return false;
            }

            ref var tag = ref tags[tagCount++];
            tag.KeyStart = start + keyStart;
            tag.KeyLength = equals - keyStart;
            tag.ValueStart = start + valueStart;
            tag.ValueLength = p - valueStart;
            tag.KeyEscaped = false;
            tag.ValueEscaped = false;
        }

        // ---- fields: key "=" value ("," key "=" value)* ----
        var fields = parser.FieldSlots(0);
        var fieldCount = 0;
        while (true)
        {
            var keyStart = p + 1;
            var equals = masks.Next();
            if (equals == SimpleLineMasks.None || equals == keyStart || text[equals] != (byte)'=' || equals - keyStart > limits.MaxNameLength)
            {
                return false;
            }

            var valueStart = equals + 1;
            p = masks.Next();
            var valueEnd = p == SimpleLineMasks.None ? length : p;
            if (valueEnd == valueStart || fieldCount >= limits.MaxFields || fieldCount == fields.Length)
            {
                return false;
            }

            c = p == SimpleLineMasks.None ? (byte)'\n' : text[p];
            if (c == (byte)'=' || !TryParseSimpleValue(text[valueStart..valueEnd], out var type, out var bits))
            {
                return false;
            }

            ref var field = ref fields[fieldCount++];
            field.KeyStart = start + keyStart;
            field.KeyLength = equals - keyStart;
            field.ValueStart = start + valueStart;
            field.ValueLength = valueEnd - valueStart;
            field.Bits = bits;
            field.Type = type;
            field.KeyEscaped = false;
            field.ValueEscaped = false;
            if (c != (byte)',')
            {
                break;
            }
        }

        // ---- timestamp: one space, digits, the end of the line ----
        var hasTimestamp = false;
        long timestamp = 0;
        long unixNanoseconds = 0;
        if (c == (byte)' ')
        {
            var timestampStart = p + 1;
            if (!masks.IsEmpty || timestampStart == length
                || NumberParser.ParseInteger(text[timestampStart..], out timestamp) != LineProtocolError.None
                || !parser.Precision.TryToUnixNanoseconds(timestamp, out unixNanoseconds))
            {
                return false;
            }

            hasTimestamp = true;
        }

        if (tagCount > 1 && FindDuplicateTag(_input, tags.AsSpan(0, tagCount)) >= 0)
        {
            return false;
        }

        var lineNumber = _lineNumber++;
        _position = start + length + 1;
        line = new LineProtocolLine(
            _input,
            start,
            measurementLength,
            false,
            tags.AsSpan(0, tagCount),
            fields.AsSpan(0, fieldCount),
            hasTimestamp,
            timestamp,
            unixNanoseconds,
            lineNumber,
            start,
            length);
        return true;
    }

    /// <summary>A number (float, <c>i</c>, <c>u</c>) or a boolean literal; false for anything else or out of range.</summary>
    private static bool TryParseSimpleValue(ReadOnlySpan<byte> token, out LineProtocolFieldType type, out long bits)
    {
        var first = token[0];
        if ((uint)(first - '0') <= 9 || first == (byte)'-' || first == (byte)'.' || first == (byte)'+')
        {
            return NumberParser.TryParse(token, out type, out bits) == LineProtocolError.None;
        }

        type = LineProtocolFieldType.Boolean;
        bits = ParseBoolean(token);
        return bits >= 0;
    }
}
