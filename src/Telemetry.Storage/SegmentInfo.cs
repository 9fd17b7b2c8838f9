using System.Globalization;

namespace Telemetry.Storage;

/// <summary>
/// One segment file: "{first sequence:D20}.seg". Counts are written by the spool's writer (under its lock) and read
/// by anyone; <see cref="DurableBytes"/> is published only after an fsync, and readers never read beyond it.
/// </summary>
internal sealed class SegmentInfo(long baseSequence, string path)
{
    public const string Suffix = ".seg";

    private long _durableBytes;
    private long _durableNextSequence = baseSequence;

    public long BaseSequence { get; } = baseSequence;

    public string Path { get; } = path;

    /// <summary>Bytes known to be on disk (fsynced).</summary>
    public long DurableBytes
    {
        get => Volatile.Read(ref _durableBytes);
        set => Volatile.Write(ref _durableBytes, value);
    }

    /// <summary>Sequence after the last durable record.</summary>
    public long DurableNextSequence
    {
        get => Volatile.Read(ref _durableNextSequence);
        set => Volatile.Write(ref _durableNextSequence, value);
    }

    /// <summary>Samples in the durable records (estimated for segments recovered without a scan).</summary>
    public long Samples { get; set; }

    public long Records => DurableNextSequence - BaseSequence;

    public static string FileName(long baseSequence) => baseSequence.ToString("D20", CultureInfo.InvariantCulture) + Suffix;

    public static bool TryParseBase(string path, out long baseSequence)
    {
        var name = System.IO.Path.GetFileName(path);
        baseSequence = 0;
        return name.Length == 20 + Suffix.Length && name.EndsWith(Suffix, StringComparison.Ordinal) &&
            long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseSequence);
    }

    public override string ToString() => System.IO.Path.GetFileName(Path);
}
