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

        WriteName(measurement, MeasurementSpecials, MeasurementGuard, prefix: 0, suffix: 0, "measurement");
        _state = State.AfterMeasurement;
    }

    public void WriteTag(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        if (_state != State.AfterMeasurement)
        {
            ThrowOrder("Tags come after the measurement and before the first field.");
        }

        WriteName(key, KeySpecials, KeyGuard, prefix: (byte)',', suffix: (byte)'=', "tag key");
        WriteName(value, KeySpecials, KeyGuard, prefix: 0, suffix: 0, "tag value");
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

        WriteFieldKey(key);
        var span = _output.GetSpan(FloatFormatter.MaxLength);
        _output.Advance(FloatFormatter.Format(value, span));
    }

    /// <summary>A signed 64-bit integer field: <c>key=123i</c>.</summary>
    public void WriteIntegerField(ReadOnlySpan<char> key, long value)
    {
        WriteFieldKey(key);
        var span = _output.GetSpan(21);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        span[written++] = (byte)'i';
        _output.Advance(written);
    }

    /// <summary>An unsigned 64-bit integer field: <c>key=123u</c>. InfluxDB 1.x refuses these ("invalid number"):
    /// only InfluxDB 2.x/3.x and VictoriaMetrics take them.</summary>
    public void WriteUnsignedField(ReadOnlySpan<char> key, ulong value)
    {
        WriteFieldKey(key);
        var span = _output.GetSpan(21);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        span[written++] = (byte)'u';
        _output.Advance(written);
    }

    public void WriteBooleanField(ReadOnlySpan<char> key, bool value)
    {
        WriteFieldKey(key);
        var span = _output.GetSpan(5);
        if (value)
        {
            "true"u8.CopyTo(span);
            _output.Advance(4);
        }
        else
        {
            "false"u8.CopyTo(span);
            _output.Advance(5);
        }
    }

    /// <summary>A string field: <c>key="value"</c> with <c>"</c> and <c>\</c> escaped; newlines are kept.</summary>
    public void WriteStringField(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        WriteFieldKey(key);
        var span = _output.GetSpan(checked((value.Length * 3) + 2));
        span[0] = (byte)'"';
        var written = 1 + Encode(value, span[1..], StringSpecials, "string field value");
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
        var timestamp = Precision.FromUnixNanoseconds(unixNanoseconds);
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

    private void WriteFieldKey(ReadOnlySpan<char> key)
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
            return;
        }

        WriteName(key, KeySpecials, KeyGuard, prefix, (byte)'=', "field key");
        _state = State.AfterField;
    }

    private void WriteName(ReadOnlySpan<char> name, SearchValues<char> specials, SearchValues<char> guard, byte prefix, byte suffix, string what)
    {
        if (name.IsEmpty)
        {
            throw new LineProtocolException(LineProtocolError.EmptyName, $"The {what} must not be empty.");
        }

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

        var span = _output.GetSpan(checked((name.Length * 3) + 2));
        var written = 0;
        if (prefix != 0)
        {
            span[written++] = prefix;
        }

        written += Encode(name, span[written..], specials, what);
        if (suffix != 0)
        {
            span[written++] = suffix;
        }

        _output.Advance(written);
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
