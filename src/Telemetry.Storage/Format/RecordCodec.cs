using System.Buffers.Binary;

namespace Telemetry.Storage.Format;

public enum RecordReadStatus
{
    /// <summary>A whole record with a matching checksum.</summary>
    Ok = 0,

    /// <summary>The bytes end inside the header or payload (a torn tail, or more must be read).</summary>
    Incomplete = 1,

    /// <summary>Impossible length or checksum mismatch.</summary>
    Corrupt = 2,
}

/// <summary>Header of one record, as read by <see cref="RecordCodec.TryRead"/>.</summary>
public readonly record struct RecordHeader(int PayloadLength, uint Crc, long Sequence)
{
    public int TotalLength => RecordCodec.HeaderSize + PayloadLength;
}

/// <summary>
/// Record framing of a segment file (DESIGN.md §5). A record never spans two segments; records follow each other
/// with no padding. Sequences are record numbers, dense and increasing by one across segments.
/// <code>
///  0               4               8                               16
/// +---------------+---------------+-------------------------------+-----------------------+
/// | length u32 LE | crc32c u32 LE | sequence u64 LE               | payload (length bytes)|
/// +---------------+---------------+-------------------------------+-----------------------+
/// crc32c covers sequence + payload, then the 4 length bytes (so a damaged length is caught too).
/// </code>
/// </summary>
public static class RecordCodec
{
    public const int HeaderSize = 16;

    /// <summary>Fills the header in front of an already written payload: <paramref name="record"/> is header + payload.</summary>
    public static void WriteHeader(Span<byte> record, long sequence)
    {
        var payloadLength = record.Length - HeaderSize;
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength, nameof(record));
        BinaryPrimitives.WriteInt32LittleEndian(record, payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], ComputeCrc(record));
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="source"/>. Returns <see cref="RecordReadStatus.Incomplete"/> when
    /// the bytes end inside it (never allocates, never throws on bad data).
    /// </summary>
    public static RecordReadStatus TryRead(ReadOnlySpan<byte> source, out RecordHeader header)
    {
        header = default;
        if (source.Length < HeaderSize)
        {
            return RecordReadStatus.Incomplete;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(source);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        if (length is < 0 or > SpoolLimits.MaxPayloadBytes || sequence < 0)
        {
            return RecordReadStatus.Corrupt;
        }

        header = new RecordHeader(length, crc, sequence);
        if (source.Length < HeaderSize + length)
        {
            return RecordReadStatus.Incomplete;
        }

        return ComputeCrc(source[..(HeaderSize + length)]) == crc ? RecordReadStatus.Ok : RecordReadStatus.Corrupt;
    }

    private static uint ComputeCrc(ReadOnlySpan<byte> record)
    {
        var crc = Crc32C.Append(Crc32C.Seed, record[8..]);
        return ~Crc32C.Append(crc, record[..4]);
    }
}
