using System.Buffers.Binary;
using System.Text;
using Telemetry.Core;

namespace Telemetry.Storage.Format;

/// <summary>
/// Decodes a record payload written by <see cref="SamplePayloadEncoder"/> (layout drawn there). Throws
/// <see cref="SpoolException"/> (<see cref="SpoolError.Corrupt"/>) on malformed input; lengths are checked against
/// <see cref="SpoolLimits"/> before use. Not thread-safe: one per reader.
/// </summary>
public sealed class SamplePayloadDecoder
{
    private readonly AssetPathInterner _interner;
    private AssetPath[] _series = new AssetPath[64];

    public SamplePayloadDecoder(AssetPathInterner? interner = null)
    {
        _interner = interner ?? new AssetPathInterner();
    }

    /// <summary>Number of samples in a payload, read from its head.</summary>
    public static int ReadSampleCount(ReadOnlySpan<byte> payload)
    {
        var p = 0;
        ReadVersion(payload, ref p);
        return VarInt.ReadLength(payload, ref p, SpoolLimits.MaxSamplesPerRecord, "sample count");
    }

    /// <summary>Receive time of the first sample of a payload (Unix ns), or null when it has none.</summary>
    public static long? ReadFirstReceiveTime(ReadOnlySpan<byte> payload)
    {
        var p = 0;
        ReadVersion(payload, ref p);
        var sampleCount = VarInt.ReadLength(payload, ref p, SpoolLimits.MaxSamplesPerRecord, "sample count");
        var seriesCount = VarInt.ReadLength(payload, ref p, sampleCount, "series count");
        if (sampleCount == 0)
        {
            return null;
        }

        for (var part = 0; part < seriesCount * 5; part++)
        {
            var length = VarInt.ReadLength(payload, ref p, SpoolLimits.MaxNameBytes, "name length");
            p += length;
        }

        _ = VarInt.Read(payload, ref p);
        p++;
        _ = VarInt.ReadSigned(payload, ref p);
        return VarInt.ReadSigned(payload, ref p);
    }

    /// <summary>Appends the payload's samples to <paramref name="destination"/>; returns how many.</summary>
    public int Decode(ReadOnlySpan<byte> payload, SampleBatch destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var p = 0;
        ReadVersion(payload, ref p);
        var sampleCount = VarInt.ReadLength(payload, ref p, SpoolLimits.MaxSamplesPerRecord, "sample count");
        var seriesCount = VarInt.ReadLength(payload, ref p, Math.Max(sampleCount, 0), "series count");
        if (_series.Length < seriesCount)
        {
            _series = new AssetPath[Math.Max(seriesCount, _series.Length * 2)];
        }

        for (var s = 0; s < seriesCount; s++)
        {
            var start = p;
            for (var part = 0; part < 5; part++)
            {
                var length = VarInt.ReadLength(payload, ref p, SpoolLimits.MaxNameBytes, "name length");
                if (length > payload.Length - p)
                {
                    SpoolException.ThrowCorrupt("A series name in a spool record is truncated.");
                }

                p += length;
            }

            _series[s] = _interner.GetOrAdd(payload[start..p]);
        }

        long source = 0;
        long receive = 0;
        for (var i = 0; i < sampleCount; i++)
        {
            var index = VarInt.ReadLength(payload, ref p, seriesCount - 1, "series index");
            if (p >= payload.Length)
            {
                SpoolException.ThrowCorrupt("A sample in a spool record is truncated.");
            }

            int flags = payload[p++];
            var kind = (SampleValueKind)(flags & 7);
            var level = (QualityLevel)((flags >> 3) & 3);
            if ((flags & 0x80) != 0 || kind > SampleValueKind.String || level > QualityLevel.Bad)
            {
                SpoolException.ThrowCorrupt($"A sample in a spool record has invalid flags 0x{flags:X2}.");
            }

            source += VarInt.ReadSigned(payload, ref p);
            receive += VarInt.ReadSigned(payload, ref p);
            uint status = 0;
            if ((flags & SamplePayloadEncoder.FlagHasStatus) != 0)
            {
                var raw = VarInt.Read(payload, ref p);
                if (raw > uint.MaxValue)
                {
                    SpoolException.ThrowCorrupt("A sample's status code in a spool record is larger than 32 bits.");
                }

                status = (uint)raw;
            }

            SampleValue value;
            switch (kind)
            {
                case SampleValueKind.Double:
                    if (payload.Length - p < 8)
                    {
                        SpoolException.ThrowCorrupt("A double value in a spool record is truncated.");
                    }

                    value = SampleValue.FromRaw(kind, BinaryPrimitives.ReadInt64LittleEndian(payload[p..]), null);
                    p += 8;
                    break;
                case SampleValueKind.Int64:
                    value = SampleValue.FromInt64(VarInt.ReadSigned(payload, ref p));
                    break;
                case SampleValueKind.Boolean:
                    value = SampleValue.FromBoolean((flags & SamplePayloadEncoder.FlagTrue) != 0);
                    break;
                case SampleValueKind.String:
                    var length = VarInt.ReadLength(payload, ref p, SpoolLimits.MaxStringBytes, "string length");
                    if (length > payload.Length - p)
                    {
                        SpoolException.ThrowCorrupt("A string value in a spool record is truncated.");
                    }

                    value = SampleValue.FromString(Encoding.UTF8.GetString(payload.Slice(p, length)));
                    p += length;
                    break;
                default:
                    value = SampleValue.Null;
                    break;
            }

            destination.Add(new Sample(_series[index], source, value, new Quality(level, status), receive));
        }

        if (p != payload.Length)
        {
            SpoolException.ThrowCorrupt($"A spool record has {payload.Length - p} bytes after its last sample.");
        }

        Array.Clear(_series, 0, seriesCount);
        return sampleCount;
    }

    private static void ReadVersion(ReadOnlySpan<byte> payload, ref int p)
    {
        if (payload.IsEmpty || payload[0] != SamplePayloadEncoder.FormatVersion)
        {
            SpoolException.ThrowCorrupt(
                $"A spool record has payload format {(payload.IsEmpty ? "(empty)" : payload[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}; this build reads format {SamplePayloadEncoder.FormatVersion}.");
        }

        p = 1;
    }
}
