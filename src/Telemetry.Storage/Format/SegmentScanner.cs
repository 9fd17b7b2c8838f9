namespace Telemetry.Storage.Format;

/// <summary>What <see cref="SegmentScanner.Scan"/> found in a segment's bytes.</summary>
internal readonly record struct SegmentScan(
    long GoodLength,
    long NextSequence,
    long Records,
    long Samples,
    long SkippedRegions,
    long CutBytes);

/// <summary>Validates a segment's records and finds the next good record after damage (recovery and the reader share it).</summary>
internal static class SegmentScanner
{
    /// <summary>
    /// Walks every record of <paramref name="data"/> (a whole segment whose first record is <paramref name="baseSequence"/>).
    /// Damage followed by good records is skipped (the reader counts it); damage with nothing good after it is the torn
    /// tail: <see cref="SegmentScan.GoodLength"/> is where to truncate.
    /// </summary>
    public static SegmentScan Scan(ReadOnlySpan<byte> data, long baseSequence)
    {
        var position = 0;
        var expected = baseSequence;
        var goodLength = 0;
        long records = 0;
        long samples = 0;
        long skipped = 0;
        while (position < data.Length)
        {
            var status = RecordCodec.TryRead(data[position..], out var header);
            if (status == RecordReadStatus.Ok && header.Sequence >= expected)
            {
                samples += SampleCount(data.Slice(position + RecordCodec.HeaderSize, header.PayloadLength));
                records++;
                expected = header.Sequence + 1;
                position += header.TotalLength;
                goodLength = position;
                continue;
            }

            var next = FindNextRecord(data, position + 1, expected);
            if (next < 0)
            {
                break;
            }

            skipped++;
            position = next;
        }

        return new SegmentScan(goodLength, expected, records, samples, skipped, data.Length - goodLength);
    }

    /// <summary>
    /// First offset at or after <paramref name="from"/> holding a good record whose sequence is at least
    /// <paramref name="minSequence"/> and plausible for the bytes left (each record takes at least a header); -1 if none.
    /// </summary>
    public static int FindNextRecord(ReadOnlySpan<byte> data, int from, long minSequence)
    {
        var maxSequence = minSequence + ((data.Length - from) / RecordCodec.HeaderSize) + 1;
        for (var p = from; p <= data.Length - RecordCodec.HeaderSize; p++)
        {
            var sequence = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(data[(p + 8)..]);
            if (sequence < minSequence || sequence > maxSequence)
            {
                continue;
            }

            if (RecordCodec.TryRead(data[p..], out _) == RecordReadStatus.Ok)
            {
                return p;
            }
        }

        return -1;
    }

    private static long SampleCount(ReadOnlySpan<byte> payload)
    {
        try
        {
            return SamplePayloadDecoder.ReadSampleCount(payload);
        }
        catch (SpoolException)
        {
            return 0;
        }
    }
}
