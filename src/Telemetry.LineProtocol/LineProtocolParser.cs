namespace Telemetry.LineProtocol;

/// <summary>
/// The strict line protocol parser the ingest service stands on. Holds the limits, the timestamp precision of the
/// request (<c>/write?precision=</c>) and the scratch tables a line's tags and fields are indexed into, so that
/// parsing allocates nothing in steady state (the tables grow, up to the limits, only when a line needs it).
/// Reuse one per thread or request; it is not thread-safe and each <see cref="LineProtocolLine"/> is valid until
/// the next read.
/// <code>
/// var reader = parser.CreateReader(body);                 // whole body: isFinalBlock = true
/// while (reader.TryReadLine(out var line)) { ... }        // LineProtocolException on the first malformed line
/// </code>
/// See <see cref="LineProtocolReader"/> for the grammar.
/// </summary>
public sealed class LineProtocolParser
{
    private TagSlot[] _tags = new TagSlot[16];
    private FieldSlot[] _fields = new FieldSlot[16];

    public LineProtocolParser(LineProtocolLimits? limits = null, TimestampPrecision precision = TimestampPrecision.Nanoseconds)
    {
        Limits = limits ?? LineProtocolLimits.Default;
        Precision = precision;
        _ = precision.NanosecondsPerUnit();
    }

    public LineProtocolLimits Limits { get; }

    public TimestampPrecision Precision { get; }

    /// <summary>Whether plain lines take the reader's simple-line path (tests turn it off to compare both paths).</summary>
    internal bool SimpleLinePath { get; set; } = true;

    /// <summary>Lines read by the general path after a line the simple path handed over (tests set 0: try every line).</summary>
    internal int SimpleLinePauseAfterMiss { get; set; } = 8;

    /// <summary>
    /// A reader over <paramref name="input"/>. With <paramref name="isFinalBlock"/> false the input may end in the
    /// middle of a line: <see cref="LineProtocolReader.TryReadLine"/> then returns false at that line and
    /// <see cref="LineProtocolReader.BytesConsumed"/> says where to continue once more bytes came.
    /// <paramref name="firstLineNumber"/> numbers lines across such blocks.
    /// </summary>
    public LineProtocolReader CreateReader(ReadOnlySpan<byte> input, bool isFinalBlock = true, int firstLineNumber = 1) =>
        new(this, input, isFinalBlock, firstLineNumber);

    internal TagSlot[] TagSlots(int needed)
    {
        if (needed > _tags.Length)
        {
            Array.Resize(ref _tags, Math.Min(Math.Max(needed, _tags.Length * 2), Math.Max(Limits.MaxTags, 1)));
        }

        return _tags;
    }

    internal FieldSlot[] FieldSlots(int needed)
    {
        if (needed > _fields.Length)
        {
            Array.Resize(ref _fields, Math.Min(Math.Max(needed, _fields.Length * 2), Limits.MaxFields));
        }

        return _fields;
    }
}
