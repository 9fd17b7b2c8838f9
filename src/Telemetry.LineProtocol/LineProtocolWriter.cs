using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Telemetry.LineProtocol;

/// <summary>
/// Writes InfluxDB line protocol (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/)
/// straight into an <see cref="IBufferWriter{T}"/> as UTF-8, with no intermediate strings and no allocation.
/// One line:
/// <code>
/// measurement[,tagKey=tagValue...] fieldKey=fieldValue[,fieldKey=fieldValue...] [timestamp]\n
/// </code>
/// Escaping: measurement <c>,</c> and space; tag keys, tag values and field keys <c>,</c> <c>=</c> and space;
/// string field values <c>"</c> and <c>\</c> (newlines inside string values stay as they are). A backslash before
/// any other character is literal, so names keep their backslashes as they are — except at the end of a name or
/// right before a character that has to be escaped there, another backslash, or (in keys and tag values) a double
/// quote: InfluxDB 1.x reads such a backslash as an escape in the measurement and tags but as half of a
/// <c>\\</c> pair when it scans field keys and line ends and unescapes <c>\"</c> in field keys only, and
/// VictoriaMetrics turns <c>\\</c> into one backslash where InfluxDB keeps both, so no
/// encoding reads back the same everywhere. Such names are refused, as are empty names, a
/// newline in a name (line protocol cannot escape it), NaN/±Infinity (InfluxDB refuses them) and lone
/// surrogates, and a measurement starting with '#' (a comment line), a tab or NUL (skipped as leading
/// whitespace by InfluxDB). Call order: <see cref="WriteMeasurement"/>, tags, at least one field, <see cref="EndLine()"/>.
/// Reusable for any number of lines; not thread-safe.
/// </summary>
public sealed class LineProtocolWriter
{
    private const byte Backslash = (byte)'\\';

    private static readonly SearchValues<char> MeasurementSpecials = SearchValues.Create(", \n");
    private static readonly SearchValues<char> KeySpecials = SearchValues.Create(",= \n");
    private static readonly SearchValues<char> StringSpecials = SearchValues.Create("\"\\");

    // A backslash may not stand right before these: InfluxDB 1.x reads \, \= \SP differently in different scanners
    // and unescapes \" in field keys; VictoriaMetrics unescapes \\ to \ where InfluxDB 1.x keeps both.
    private static readonly SearchValues<char> MeasurementGuard = SearchValues.Create(", \n\\");
    private static readonly SearchValues<char> KeyGuard = SearchValues.Create(",= \n\"\\");

    private IBufferWriter<byte> _output;
    private State _state;

    public LineProtocolWriter(IBufferWriter<byte> output, TimestampPrecision precision = TimestampPrecision.Nanoseconds)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Precision = precision;
        _ = precision.NanosecondsPerUnit();
    }

    private enum State : byte
    {
        LineStart = 0,
        AfterMeasurement = 1,
        AfterField = 2,
    }

    /// <summary>The unit of timestamps written by <see cref="EndLine(long)"/> (the /write?precision= to send).</summary>
    public TimestampPrecision Precision { get; }

    /// <summary>Lines completed since construction or <see cref="Reset"/>.</summary>
    public long LineCount { get; private set; }

    /// <summary>Writes further lines to another buffer; a half-written line is dropped from the state.</summary>
    public void Reset(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _state = State.LineStart;
        LineCount = 0;
    }

    public void WriteMeasurement(ReadOnlySpan<char> measurement)
    {
        if (_state != State.LineStart)
        {
            ThrowOrder("WriteMeasurement must start a line: call EndLine first.");
        }

        if (!measurement.IsEmpty && measurement[0] is '#' or '\t' or '\0')
        {
            throw new LineProtocolException(LineProtocolError.InvalidMeasurementStart,
                $"The measurement '{measurement}' starts with '#', a tab or NUL: readers would take the line for a comment or skip that character.");
        }

        var span = _output.GetSpan(MaxNameBytes(measurement));
        _output.Advance(WriteName(span, measurement, MeasurementSpecials, MeasurementGuard, prefix: 0, suffix: 0, "measurement"));
        _state = State.AfterMeasurement;
    }

    public void WriteTag(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        if (_state != State.AfterMeasurement)
        {
            ThrowOrder("Tags come after the measurement and before the first field.");
        }

        var span = _output.GetSpan(checked(MaxNameBytes(key) + MaxNameBytes(value)));
        var written = WriteName(span, key, KeySpecials, KeyGuard, prefix: (byte)',', suffix: (byte)'=', "tag key");
        written += WriteName(span[written..], value, KeySpecials, KeyGuard, prefix: 0, suffix: 0, "tag value");
        _output.Advance(written);
    }

    /// <summary>
    /// Writes tags, sorted first by key in UTF-8 byte order when <paramref name="sortByKey"/> (InfluxDB's
    /// recommendation: it sorts them itself otherwise). Sorting reorders <paramref name="tags"/> in place.
    /// Duplicate keys are refused, as InfluxDB refuses them ("duplicate tags").
    /// </summary>
    public void WriteTags(Span<LineProtocolTag> tags, bool sortByKey = true)
    {
        if (sortByKey && tags.Length > 1)
        {
            tags.Sort(static (a, b) => Utf8Order.Compare(a.Key, b.Key));
        }

        for (var i = 0; i < tags.Length; i++)
        {
            if (sortByKey && i > 0 && string.Equals(tags[i].Key, tags[i - 1].Key, StringComparison.Ordinal))
            {
                throw new LineProtocolException(LineProtocolError.DuplicateTags, $"Duplicate tag key '{tags[i].Key}'.");
            }

            WriteTag(tags[i].Key, tags[i].Value);
        }
    }

    /// <summary>A float field in the shortest form that reads back to the same double ("R").</summary>
    public void WriteFloatField(ReadOnlySpan<char> key, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new LineProtocolException(LineProtocolError.NotFinite,
                $"Field '{key}' is {value.ToString(CultureInfo.InvariantCulture)}: InfluxDB line protocol has no NaN or infinity.");
        }

        var span = BeginField(key, FloatFormatter.MaxLength, out var written);
        _output.Advance(written + FloatFormatter.Format(value, span[written..]));
    }

    /// <summary>A signed 64-bit integer field: <c>key=123i</c>.</summary>
    public void WriteIntegerField(ReadOnlySpan<char> key, long value)
    {
        var span = BeginField(key, 21, out var written);
        value.TryFormat(span[written..], out var digits, default, CultureInfo.InvariantCulture);
        written += digits;
        span[written++] = (byte)'i';
        _output.Advance(written);
    }

    /// <summary>An unsigned 64-bit integer field: <c>key=123u</c>. InfluxDB 1.x refuses these ("invalid number"):
    /// only InfluxDB 2.x/3.x and VictoriaMetrics take them.</summary>
    public void WriteUnsignedField(ReadOnlySpan<char> key, ulong value)
    {
        var span = BeginField(key, 21, out var written);
        value.TryFormat(span[written..], out var digits, default, CultureInfo.InvariantCulture);
        written += digits;
        span[written++] = (byte)'u';
        _output.Advance(written);
    }

    public void WriteBooleanField(ReadOnlySpan<char> key, bool value)
    {
        var span = BeginField(key, 5, out var written);
        var literal = value ? "true"u8 : "false"u8;
        literal.CopyTo(span[written..]);
        _output.Advance(written + literal.Length);
    }

    /// <summary>A string field: <c>key="value"</c> with <c>"</c> and <c>\</c> escaped; newlines are kept.</summary>
    public void WriteStringField(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        var span = BeginField(key, checked((value.Length * 3) + 2), out var written);
        span[written++] = (byte)'"';
        written += TryCopyPlainString(value, span[written..]) ? value.Length : Encode(value, span[written..], StringSpecials, "string field value");
        span[written++] = (byte)'"';
        _output.Advance(written);
    }

    /// <summary>Ends the line without a timestamp (the server stamps it on arrival).</summary>
    public void EndLine()
    {
        EnsureFields();
        var span = _output.GetSpan(1);
        span[0] = (byte)'\n';
        _output.Advance(1);
        Complete();
    }

    /// <summary>Ends the line with a timestamp given in Unix nanoseconds, written in <see cref="Precision"/>
    /// (rounded down).</summary>
    public void EndLine(long unixNanoseconds)
    {
        EnsureFields();
        var timestamp = Precision == TimestampPrecision.Nanoseconds ? unixNanoseconds : Precision.FromUnixNanoseconds(unixNanoseconds);
        var span = _output.GetSpan(22);
        span[0] = (byte)' ';
        timestamp.TryFormat(span[1..], out var written, default, CultureInfo.InvariantCulture);
        span[written + 1] = (byte)'\n';
        _output.Advance(written + 2);
        Complete();
    }

    private void Complete()
    {
        _state = State.LineStart;
        LineCount++;
    }

    private void EnsureFields()
    {
        if (_state != State.AfterField)
        {
            ThrowOrder("A line needs a measurement and at least one field before EndLine.");
        }
    }

    /// <summary>Writes the separator and <c>key=</c> of a field into a span with room for
    /// <paramref name="valueBytes"/> more; the caller writes the value after <paramref name="written"/> and advances.</summary>
    private Span<byte> BeginField(ReadOnlySpan<char> key, int valueBytes, out int written)
    {
        byte prefix;
        if (_state == State.AfterMeasurement)
        {
            prefix = (byte)' ';
        }
        else if (_state == State.AfterField)
        {
            prefix = (byte)',';
        }
        else
        {
            ThrowOrder("Fields come after the measurement: call WriteMeasurement first.");
            written = 0;
            return default;
        }

        var span = _output.GetSpan(checked(MaxNameBytes(key) + valueBytes));
        written = WriteName(span, key, KeySpecials, KeyGuard, prefix, (byte)'=', "field key");
        _state = State.AfterField;
        return span;
    }

    /// <summary>Room a name may need: 3 bytes per char (see <see cref="Encode"/>) plus a separator before and after.</summary>
    private static int MaxNameBytes(ReadOnlySpan<char> name) => checked((name.Length * 3) + 2);

    /// <summary>Writes [prefix] name [suffix] into <paramref name="span"/>; returns the bytes written.</summary>
    private static int WriteName(Span<byte> span, ReadOnlySpan<char> name, SearchValues<char> specials, SearchValues<char> guard, byte prefix, byte suffix, string what)
    {
        if (name.IsEmpty)
        {
            throw new LineProtocolException(LineProtocolError.EmptyName, $"The {what} must not be empty.");
        }

        var written = 0;
        if (prefix != 0)
        {
            span[written++] = prefix;
        }

        if (TryCopyPlainName(name, span[written..]))
        {
            written += name.Length;
        }
        else
        {
            CheckBackslashes(name, guard, what);
            written += Encode(name, span[written..], specials, what);
        }

        if (suffix != 0)
        {
            span[written++] = suffix;
        }

        return written;
    }

    /// <summary>
    /// Copies a name made only of printable ASCII that needs no escape and no check (no space, comma, equals
    /// sign, quote or backslash) — almost every real name — one byte per char; false leaves the rest to
    /// <see cref="Encode"/>.
    /// </summary>
    private static bool TryCopyPlainName(ReadOnlySpan<char> name, Span<byte> destination)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c <= ' ' || c >= (char)0x7F || c is ',' or '=' or '"' or '\\')
            {
                return false;
            }

            destination[i] = (byte)c;
        }

        return true;
    }

    /// <summary>As <see cref="TryCopyPlainName"/> for a string field value: any ASCII but the quote and backslash.</summary>
    private static bool TryCopyPlainString(ReadOnlySpan<char> value, Span<byte> destination)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= (char)0x80 || c is '"' or '\\')
            {
                return false;
            }

            destination[i] = (byte)c;
        }

        return true;
    }

    private static void CheckBackslashes(ReadOnlySpan<char> name, SearchValues<char> guard, string what)
    {
        if (name[^1] == '\\')
        {
            throw new LineProtocolException(LineProtocolError.TrailingBackslash,
                $"The {what} '{name}' ends with a backslash, which line protocol would read as escaping the next separator.");
        }

        var backslash = name.IndexOf('\\');
        while (backslash >= 0)
        {
            if (guard.Contains(name[backslash + 1]))
            {
                throw new LineProtocolException(LineProtocolError.BackslashBeforeSpecial,
                    $"The {what} '{name}' has a backslash right before '{name[backslash + 1]}': InfluxDB 1.x reads that pair differently in different parts of a line, so it cannot be written unambiguously.");
            }

            var next = name[(backslash + 1)..].IndexOf('\\');
            backslash = next < 0 ? -1 : backslash + 1 + next;
        }
    }

    /// <summary>UTF-16 to UTF-8 with a backslash before each special character; returns bytes written.
    /// The destination holds 3 bytes per char (an escaped ASCII char needs 2, a BMP char 3, a pair 4 for 2 chars).</summary>
    private static int Encode(ReadOnlySpan<char> text, Span<byte> destination, SearchValues<char> specials, string what)
    {
        var written = 0;
        while (true)
        {
            var next = text.IndexOfAny(specials);
            var run = next < 0 ? text : text[..next];
            if (!run.IsEmpty)
            {
                var status = Utf8.FromUtf16(run, destination[written..], out _, out var runBytes, replaceInvalidSequences: false);
                if (status != OperationStatus.Done)
                {
                    throw new LineProtocolException(LineProtocolError.InvalidUtf16,
                        $"The {what} contains a lone surrogate (invalid UTF-16): it cannot be written as UTF-8.");
                }

                written += runBytes;
            }

            if (next < 0)
            {
                return written;
            }

            var special = text[next];
            if (special == '\n')
            {
                throw new LineProtocolException(LineProtocolError.NewlineInName,
                    $"The {what} contains a newline, which line protocol cannot escape.");
            }

            destination[written++] = Backslash;
            destination[written++] = (byte)special;
            text = text[(next + 1)..];
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowOrder(string message) => throw new InvalidOperationException(message);
}
