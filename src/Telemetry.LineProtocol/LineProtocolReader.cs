using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Telemetry.LineProtocol;

/// <summary>
/// Walks line protocol input line by line (InfluxDB line protocol reference, v1 and v2 docs "Line protocol";
/// behaviour checked against InfluxDB 1.x models/points.go and the Go line-protocol v2 decoder).
/// <code>
/// input     = *( line ( LF / CRLF ) ) [ line ]
/// line      = *WS ( "#" comment / "" / point )          ; WS = space or tab; blank lines and comments skipped
/// point     = measurement *( "," tagkey "=" tagvalue ) 1*SP field *( "," field ) [ 1*SP timestamp ] *SP
/// field     = fieldkey "=" ( float / integer "i" / unsigned "u" / bool / DQUOTE string DQUOTE )
/// bool      = t / T / true / True / TRUE / f / F / false / False / FALSE
/// timestamp = [ "-" ] 1*19DIGIT                        ; in the parser's precision, must fit in int64 ns
/// escapes   : measurement \, \SP ; tag key/value \, \= \SP ; field key \, \= \SP \" ; string \" \\
///             a backslash before any other byte is a literal backslash (as InfluxDB 1.x, whose unescaping
///             of each part these follow: unescapeMeasurement, unescapeTag, pkg/escape.Unescape, unescapeStringField)
/// </code>
/// A string value may span physical lines (a raw LF inside quotes). Names and strings must be valid UTF-8.
/// Duplicate tag keys are refused as InfluxDB refuses them; duplicate field keys are kept (InfluxDB keeps the last).
/// Errors: <see cref="LineProtocolException"/> with the 1-based physical line and 1-based byte column of the
/// first offending byte (for a value: where the value starts). No other exception escapes for any input.
/// </summary>
public ref partial struct LineProtocolReader
{
    private readonly LineProtocolParser _parser;
    private readonly ReadOnlySpan<byte> _input;
    private readonly bool _isFinalBlock;
    private int _position;
    private int _lineNumber;
    private int _simpleLinePause;

    internal LineProtocolReader(LineProtocolParser parser, ReadOnlySpan<byte> input, bool isFinalBlock, int firstLineNumber)
    {
        _parser = parser;
        _input = input;
        _isFinalBlock = isFinalBlock;
        _lineNumber = firstLineNumber;
    }

    /// <summary>Bytes fully read (complete lines, blank lines and comments).</summary>
    public readonly int BytesConsumed => _position;

    /// <summary>1-based physical line number of the next line to read.</summary>
    public readonly int LineNumber => _lineNumber;

    /// <summary>
    /// Reads the next point. False at the end of the input, or (not final block) when the rest is an incomplete
    /// line. Throws <see cref="LineProtocolException"/> for a malformed line.
    /// </summary>
    public bool TryReadLine(out LineProtocolLine line)
    {
        var input = _input;
        while (true)
        {
            var pos = _position;
            var i = pos;
            while (i < input.Length && (input[i] == (byte)' ' || input[i] == (byte)'\t'))
            {
                i++;
            }

            if (i == input.Length)
            {
                if (_isFinalBlock)
                {
                    _position = i;
                }

                line = default;
                return false;
            }

            var c = input[i];
            if (c == (byte)'\n')
            {
                _position = i + 1;
                _lineNumber++;
                continue;
            }

            if (c == (byte)'\r' && (i + 1 == input.Length || input[i + 1] == (byte)'\n'))
            {
                if (i + 1 == input.Length)
                {
                    if (_isFinalBlock)
                    {
                        _position = input.Length;
                    }

                    line = default;
                    return false;
                }

                _position = i + 2;
                _lineNumber++;
                continue;
            }

            if (c == (byte)'#')
            {
                var newline = input[i..].IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (_isFinalBlock)
                    {
                        _position = input.Length;
                    }

                    line = default;
                    return false;
                }

                _position = i + newline + 1;
                _lineNumber++;
                continue;
            }

            // A line the simple path hands over costs it a block classification; after one, the next few lines go
            // straight to the general path, so input of that style (escapes, strings, long lines) pays it rarely.
            if (_simpleLinePause == 0)
            {
                if (TryReadSimpleLine(pos, i, out line))
                {
                    return true;
                }

                _simpleLinePause = _parser.SimpleLinePauseAfterMiss;
            }
            else
            {
                _simpleLinePause--;
            }

            return ParsePoint(pos, i, out line);
        }
    }

    private bool ParsePoint(int pos, int start, out LineProtocolLine line)
    {
        var parser = _parser;
        var limits = parser.Limits;
        var input = _input;
        var end = (int)Math.Min(input.Length, (long)pos + limits.MaxLineLength + 1);
        var buf = input[..end];
        var delimiters = new DelimiterCursor(buf);
        var i = start;
        var hitEnd = false;
        var hasString = false;
        var hasTimestamp = false;
        long timestamp = 0;
        long unixNanoseconds = 0;
        LineProtocolError error;
        int errorAt;
        int contentEnd;
        int next;
        byte c;

        // ---- measurement ----
        var mStart = i;
        var mEscaped = false;
        while (true)
        {
            i = delimiters.Next(i);
            if (i >= end)
            {
                hitEnd = true;
                error = LineProtocolError.MissingFields;
                errorAt = i;
                goto Fail;
            }

            c = buf[i];
            if (c == (byte)',' || c == (byte)' ')
            {
                break;
            }

            if (c == (byte)'\n')
            {
                error = LineProtocolError.MissingFields;
                errorAt = i;
                goto Fail;
            }

            if (c == (byte)'\\')
            {
                mEscaped = true;
                if (i + 1 < end && (buf[i + 1] == (byte)',' || buf[i + 1] == (byte)' '))
                {
                    i += 2;
                    continue;
                }
            }

            i++;
        }

        if (i == mStart)
        {
            error = LineProtocolError.MissingMeasurement;
            errorAt = i;
            goto Fail;
        }

        var mLength = i - mStart;
        if (mLength > limits.MaxNameLength)
        {
            error = LineProtocolError.NameTooLong;
            errorAt = mStart;
            goto Fail;
        }

        // ---- tags ----
        var tags = parser.TagSlots(0);
        var tagCount = 0;
        if (c == (byte)',')
        {
            while (true)
            {
                i++;
                var kStart = i;
                var kEscaped = false;
                while (true)
                {
                    i = delimiters.Next(i);
                    if (i >= end)
                    {
                        hitEnd = true;
                        error = i == kStart ? LineProtocolError.MissingTagKey : LineProtocolError.MissingTagValue;
                        errorAt = i;
                        goto Fail;
                    }

                    c = buf[i];
                    if (c == (byte)'=')
                    {
                        if (i == kStart)
                        {
                            error = LineProtocolError.MissingTagKey;
                            errorAt = i;
                            goto Fail;
                        }

                        break;
                    }

                    if (c == (byte)',' || c == (byte)' ' || c == (byte)'\n')
                    {
                        error = i == kStart ? LineProtocolError.MissingTagKey : LineProtocolError.MissingTagValue;
                        errorAt = i;
                        goto Fail;
                    }

                    if (c == (byte)'\\')
                    {
                        kEscaped = true;
                        if (i + 1 < end && IsKeySpecial(buf[i + 1]))
                        {
                            i += 2;
                            continue;
                        }
                    }

                    i++;
                }

                var kLength = i - kStart;
                i++;
                var vStart = i;
                var vEscaped = false;
                while (true)
                {
                    i = delimiters.Next(i);
                    if (i >= end)
                    {
                        hitEnd = true;
                        error = i == vStart ? LineProtocolError.MissingTagValue : LineProtocolError.MissingFields;
                        errorAt = i;
                        goto Fail;
                    }

                    c = buf[i];
                    if (c == (byte)',' || c == (byte)' ')
                    {
                        if (i == vStart)
                        {
                            error = LineProtocolError.MissingTagValue;
                            errorAt = i;
                            goto Fail;
                        }

                        break;
                    }

                    if (c == (byte)'=')
                    {
                        error = LineProtocolError.InvalidTagFormat;
                        errorAt = i;
                        goto Fail;
                    }

                    if (c == (byte)'\n')
                    {
                        error = i == vStart ? LineProtocolError.MissingTagValue : LineProtocolError.MissingFields;
                        errorAt = i;
                        goto Fail;
                    }

                    if (c == (byte)'\\')
                    {
                        vEscaped = true;
                        if (i + 1 < end && IsKeySpecial(buf[i + 1]))
                        {
                            i += 2;
                            continue;
                        }
                    }

                    i++;
                }

                var vLength = i - vStart;
                if (kLength > limits.MaxNameLength || vLength > limits.MaxNameLength)
                {
                    error = LineProtocolError.NameTooLong;
                    errorAt = kLength > limits.MaxNameLength ? kStart : vStart;
                    goto Fail;
                }

                if (tagCount >= limits.MaxTags)
                {
                    error = LineProtocolError.TooManyTags;
                    errorAt = kStart;
                    goto Fail;
                }

                if (tagCount == tags.Length)
                {
                    tags = parser.TagSlots(tagCount + 1);
                }

                ref var tag = ref tags[tagCount++];
                tag.KeyStart = kStart;
                tag.KeyLength = kLength;
                tag.ValueStart = vStart;
                tag.ValueLength = vLength;
                tag.KeyEscaped = kEscaped;
                tag.ValueEscaped = vEscaped;
                if (c == (byte)' ')
                {
                    break;
                }
            }

            if (tagCount > 1)
            {
                var duplicate = FindDuplicateTag(buf, tags.AsSpan(0, tagCount));
                if (duplicate >= 0)
                {
                    error = LineProtocolError.DuplicateTags;
                    errorAt = duplicate;
                    goto Fail;
                }
            }
        }

        // ---- fields ----
        while (i < end && buf[i] == (byte)' ')
        {
            i++;
        }

        if (i >= end)
        {
            hitEnd = true;
            error = LineProtocolError.MissingFields;
            errorAt = i;
            goto Fail;
        }

        if (buf[i] == (byte)'\n' || (buf[i] == (byte)'\r' && (i + 1 == end || buf[i + 1] == (byte)'\n')))
        {
            hitEnd = i + 1 == end && buf[i] == (byte)'\r';
            error = LineProtocolError.MissingFields;
            errorAt = i;
            goto Fail;
        }

        var fields = parser.FieldSlots(0);
        var fieldCount = 0;
        while (true)
        {
            var kStart = i;
            var kEscaped = false;
            while (true)
            {
                i = delimiters.Next(i);
                if (i >= end)
                {
                    hitEnd = true;
                    error = i == kStart ? LineProtocolError.MissingFieldKey : LineProtocolError.InvalidFieldFormat;
                    errorAt = i;
                    goto Fail;
                }

                c = buf[i];
                if (c == (byte)'=')
                {
                    if (i == kStart)
                    {
                        error = LineProtocolError.MissingFieldKey;
                        errorAt = i;
                        goto Fail;
                    }

                    break;
                }

                if (c == (byte)',' || c == (byte)' ' || c == (byte)'\n')
                {
                    error = i == kStart ? LineProtocolError.MissingFieldKey : LineProtocolError.InvalidFieldFormat;
                    errorAt = i;
                    goto Fail;
                }

                if (c == (byte)'\\')
                {
                    kEscaped = true;
                    if (i + 1 < end && IsKeySpecial(buf[i + 1]))
                    {
                        i += 2;
                        continue;
                    }
                }

                i++;
            }

            var kLength = i - kStart;
            if (kLength > limits.MaxNameLength)
            {
                error = LineProtocolError.NameTooLong;
                errorAt = kStart;
                goto Fail;
            }

            i++;
            var vStart = i;
            if (i >= end)
            {
                hitEnd = true;
                error = LineProtocolError.MissingFieldValue;
                errorAt = i;
                goto Fail;
            }

            c = buf[i];
            LineProtocolFieldType type;
            long bits = 0;
            int valueStart;
            int valueLength;
            var valueEscaped = false;
            if (c == (byte)'"')
            {
                i++;
                while (true)
                {
                    var k = buf[i..].IndexOfAny((byte)'"', (byte)'\\');
                    if (k < 0 || i + k + 1 >= end && buf[i + k] == (byte)'\\')
                    {
                        hitEnd = true;
                        error = LineProtocolError.UnbalancedQuotes;
                        errorAt = vStart;
                        goto Fail;
                    }

                    i += k;
                    if (buf[i] == (byte)'"')
                    {
                        break;
                    }

                    valueEscaped = true;
                    i += 2;
                }

                valueStart = vStart + 1;
                valueLength = i - valueStart;
                if (valueLength > limits.MaxStringLength)
                {
                    error = LineProtocolError.StringTooLong;
                    errorAt = vStart;
                    goto Fail;
                }

                type = LineProtocolFieldType.String;
                hasString = true;
                i++;
            }
            else
            {
                var t = i;
                while (true)
                {
                    t = delimiters.Next(t);
                    if (t >= end)
                    {
                        break;
                    }

                    var b = buf[t];
                    if (b == (byte)',' || b == (byte)' ' || b == (byte)'\n' || b == (byte)'\r')
                    {
                        break;
                    }

                    t++;
                }

                if (t == end)
                {
                    hitEnd = true;
                }

                if (t == i)
                {
                    error = LineProtocolError.MissingFieldValue;
                    errorAt = i;
                    goto Fail;
                }

                var token = buf[i..t];
                if ((uint)(c - '0') <= 9 || c == (byte)'-' || c == (byte)'.' || c == (byte)'+')
                {
                    error = NumberParser.TryParse(token, out type, out bits);
                    if (error != LineProtocolError.None)
                    {
                        errorAt = vStart;
                        goto Fail;
                    }
                }
                else
                {
                    type = LineProtocolFieldType.Boolean;
                    bits = ParseBoolean(token);
                    if (bits < 0)
                    {
                        error = c is (byte)'N' or (byte)'n' ? LineProtocolError.InvalidNumber : LineProtocolError.InvalidBoolean;
                        errorAt = vStart;
                        goto Fail;
                    }
                }

                valueStart = i;
                valueLength = t - i;
                i = t;
            }

            if (fieldCount >= limits.MaxFields)
            {
                error = LineProtocolError.TooManyFields;
                errorAt = kStart;
                goto Fail;
            }

            if (fieldCount == fields.Length)
            {
                fields = parser.FieldSlots(fieldCount + 1);
            }

            ref var field = ref fields[fieldCount++];
            field.KeyStart = kStart;
            field.KeyLength = kLength;
            field.ValueStart = valueStart;
            field.ValueLength = valueLength;
            field.Bits = bits;
            field.Type = type;
            field.KeyEscaped = kEscaped;
            field.ValueEscaped = valueEscaped;

            if (i >= end)
            {
                hitEnd = true;
                goto EndOfInput;
            }

            c = buf[i];
            if (c == (byte)',')
            {
                i++;
                continue;
            }

            if (c == (byte)' ')
            {
                break;
            }

            if (c == (byte)'\n')
            {
                goto Newline;
            }

            if (c == (byte)'\r')
            {
                if (i + 1 < end && buf[i + 1] == (byte)'\n')
                {
                    goto Newline;
                }

                if (i + 1 == end)
                {
                    goto TrailingCarriageReturn;
                }
            }

            error = LineProtocolError.InvalidFieldFormat;
            errorAt = i;
            goto Fail;
        }

        // ---- timestamp ----
        while (i < end && buf[i] == (byte)' ')
        {
            i++;
        }

        if (i >= end)
        {
            hitEnd = true;
            goto EndOfInput;
        }

        if (buf[i] != (byte)'\n' && buf[i] != (byte)'\r')
        {
            var tStart = i;
            var t = i;
            while (true)
            {
                t = delimiters.Next(t);
                if (t >= end || buf[t] == (byte)' ' || buf[t] == (byte)'\n' || buf[t] == (byte)'\r')
                {
                    break;
                }

                t++;
            }

            if (t == end)
            {
                hitEnd = true;
            }

            if (NumberParser.ParseInteger(buf[tStart..t], out timestamp) != LineProtocolError.None)
            {
                error = LineProtocolError.BadTimestamp;
                errorAt = tStart;
                goto Fail;
            }

            if (!parser.Precision.TryToUnixNanoseconds(timestamp, out unixNanoseconds))
            {
                error = LineProtocolError.TimeOutsideRange;
                errorAt = tStart;
                goto Fail;
            }

            hasTimestamp = true;
            i = t;
            while (i < end && buf[i] == (byte)' ')
            {
                i++;
            }

            if (i >= end)
            {
                hitEnd = true;
                goto EndOfInput;
            }
        }

        if (buf[i] == (byte)'\n' || (buf[i] == (byte)'\r' && i + 1 < end && buf[i + 1] == (byte)'\n'))
        {
            goto Newline;
        }

        if (buf[i] == (byte)'\r' && i + 1 == end)
        {
            goto TrailingCarriageReturn;
        }

        error = LineProtocolError.InvalidPoint;
        errorAt = i;
        goto Fail;

    TrailingCarriageReturn:
        // "\r" as the last byte read: the end of a CRLF (if more comes) or of the input.
        hitEnd = true;
        if (end < input.Length || !_isFinalBlock)
        {
            goto EndOfInput;
        }

        contentEnd = i;
        next = input.Length;
        goto Done;

    Newline:
        contentEnd = i;
        next = buf[i] == (byte)'\r' ? i + 2 : i + 1;
        goto Done;

    EndOfInput:
        if (end < input.Length)
        {
            ThrowAt(LineProtocolError.LineTooLong, pos + limits.MaxLineLength, pos, start);
        }

        if (!_isFinalBlock)
        {
            line = default;
            return false;
        }

        contentEnd = end;
        next = end;

    Done:
        // One call site, so the line's view is built (and its frame space zeroed) once.
        return Complete(pos, start, contentEnd, next, mStart, mLength, mEscaped, tagCount, fieldCount, hasTimestamp, timestamp, unixNanoseconds, hasString, out line);

    Fail:
        if (hitEnd && end < input.Length)
        {
            ThrowAt(LineProtocolError.LineTooLong, pos + limits.MaxLineLength, pos, start);
        }

        if (hitEnd && !_isFinalBlock)
        {
            line = default;
            return false;
        }

        ThrowAt(error, errorAt, pos, start);
        line = default;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Complete(
        int pos,
        int start,
        int contentEnd,
        int next,
        int mStart,
        int mLength,
        bool mEscaped,
        int tagCount,
        int fieldCount,
        bool hasTimestamp,
        long timestamp,
        long unixNanoseconds,
        bool hasString,
        out LineProtocolLine line)
    {
        var content = _input[start..contentEnd];
        if (!Ascii.IsValid(content) && !Utf8.IsValid(content))
        {
            ThrowAt(LineProtocolError.InvalidUtf8, start + FirstInvalidUtf8(content), pos, start);
        }

        var lineNumber = _lineNumber;
        _lineNumber += (next > contentEnd ? 1 : 0) + (hasString ? content.Count((byte)'\n') : 0);
        _position = next;
        line = new LineProtocolLine(
            _input,
            mStart,
            mLength,
            mEscaped,
            _parser.TagSlots(0).AsSpan(0, tagCount),
            _parser.FieldSlots(0).AsSpan(0, fieldCount),
            hasTimestamp,
            timestamp,
            unixNanoseconds,
            lineNumber,
            start,
            contentEnd - start);
        return true;
    }

    private static bool IsKeySpecial(byte b) => b is (byte)',' or (byte)'=' or (byte)' ';

    /// <summary>1 for true, 0 for false, -1 when not a boolean literal.</summary>
    private static long ParseBoolean(ReadOnlySpan<byte> s)
    {
        if (s.Length == 1)
        {
            return s[0] switch
            {
                (byte)'t' or (byte)'T' => 1,
                (byte)'f' or (byte)'F' => 0,
                _ => -1,
            };
        }

        if (s.SequenceEqual("true"u8) || s.SequenceEqual("True"u8) || s.SequenceEqual("TRUE"u8))
        {
            return 1;
        }

        if (s.SequenceEqual("false"u8) || s.SequenceEqual("False"u8) || s.SequenceEqual("FALSE"u8))
        {
            return 0;
        }

        return -1;
    }

    /// <summary>Start of the first tag key that repeats an earlier one (raw bytes: the escaping is canonical), or -1.</summary>
    private static int FindDuplicateTag(ReadOnlySpan<byte> buf, ReadOnlySpan<TagSlot> tags)
    {
        var sorted = true;
        for (var j = 1; j < tags.Length; j++)
        {
            if (buf.Slice(tags[j - 1].KeyStart, tags[j - 1].KeyLength).SequenceCompareTo(buf.Slice(tags[j].KeyStart, tags[j].KeyLength)) >= 0)
            {
                sorted = false;
                break;
            }
        }

        if (sorted)
        {
            return -1;
        }

        for (var j = 1; j < tags.Length; j++)
        {
            var key = buf.Slice(tags[j].KeyStart, tags[j].KeyLength);
            for (var k = 0; k < j; k++)
            {
                if (key.SequenceEqual(buf.Slice(tags[k].KeyStart, tags[k].KeyLength)))
                {
                    return tags[j].KeyStart;
                }
            }
        }

        return -1;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return bytes.Length;
    }

    [DoesNotReturn]
    private readonly void ThrowAt(LineProtocolError error, int errorAt, int pos, int start)
    {
        var input = _input;
        errorAt = Math.Min(errorAt, input.Length);

        // Report the first problem by position: invalid UTF-8 before a structural error wins.
        var before = input[start..errorAt];
        if (error != LineProtocolError.InvalidUtf8 && !Utf8.IsValid(before))
        {
            error = LineProtocolError.InvalidUtf8;
            errorAt = start + FirstInvalidUtf8(before);
        }

        var prefix = input[pos..errorAt];
        var lineNumber = _lineNumber + prefix.Count((byte)'\n');
        var lastNewline = prefix.LastIndexOf((byte)'\n');
        var column = errorAt - (lastNewline >= 0 ? pos + lastNewline + 1 : pos) + 1;

        var textEnd = input[errorAt..].IndexOf((byte)'\n');
        var text = input[start..(textEnd < 0 ? input.Length : errorAt + textEnd)];
        var shown = text.Length > 200 ? Encoding.UTF8.GetString(text[..200]) + "…" : Encoding.UTF8.GetString(text);
        var reason = LineProtocolErrorText.Reason(error);
        if (error == LineProtocolError.LineTooLong)
        {
            reason = $"line too long (more than {_parser.Limits.MaxLineLength} bytes)";
        }

        throw new LineProtocolException(error, reason, lineNumber, column, shown);
    }
}
