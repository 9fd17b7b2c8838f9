using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Telemetry.Core;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Writing;

/// <summary>
/// A fast path in front of <see cref="SampleLineDecoder"/> for the lines an edge sends again and again:
/// one value field of a known series. The key is the line's raw bytes from its start to the end of its first field key
/// (measurement, every tag, the field key, escapes included), which is all the decoder reads to build the asset path and
/// pick the value field. A hit is one hash of that span and one dictionary probe without allocating, then the value is
/// read from the field's type (float, integer, boolean, as the decoder maps them) with Good quality (no quality field).
/// Everything else goes to the decoder unchanged: lines with a quality field or two fields, string and unsigned values,
/// lines the decoder refuses (they throw as before) and new series, which are learnt once the decoder accepted them as
/// a single-value line. Lines of other measurements are remembered as "not a sample".
/// Thread-safe and shared by all write workers (each passes its own decoder, used only on a miss), so every worker
/// hands out the same <see cref="AssetPath"/> instance per series: machine health then finds a series by reference.
/// </summary>
public sealed class SampleSeriesCache
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<byte[], AssetPath?> _series;
    private readonly ConcurrentDictionary<byte[], AssetPath?>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public SampleSeriesCache()
    {
        _series = new ConcurrentDictionary<byte[], AssetPath?>(new PrefixComparer());
        _lookup = _series.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Series learnt so far (bounded; the cache starts over when full).</summary>
    public int Count => _series.Count;

    /// <summary>As <see cref="SampleLineDecoder.TryDecode"/> of <paramref name="decoder"/>, with the same results and exceptions.</summary>
    public bool TryDecode(SampleLineDecoder decoder, in LineProtocolLine line, long receiveTimeNs, long defaultTimeNs, out Sample sample)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        if (line.FieldCount != 1)
        {
            return decoder.TryDecode(line, receiveTimeNs, defaultTimeNs, out sample);
        }

        var field = line.GetField(0);
        var prefix = Prefix(line, field.Key.Raw);
        if (_lookup.TryGetValue(prefix, out var path))
        {
            if (path is null)
            {
                sample = default;
                return false;
            }

            if (field.Type is LineProtocolFieldType.Float or LineProtocolFieldType.Integer or LineProtocolFieldType.Boolean)
            {
                var value = field.Type switch
                {
                    LineProtocolFieldType.Float => SampleValue.FromDouble(field.FloatValue),
                    LineProtocolFieldType.Integer => SampleValue.FromInt64(field.IntegerValue),
                    _ => SampleValue.FromBoolean(field.BooleanValue),
                };
                sample = new Sample(path, line.HasTimestamp ? line.UnixNanoseconds : defaultTimeNs, value, Quality.Good, receiveTimeNs);
                return true;
            }

            return decoder.TryDecode(line, receiveTimeNs, defaultTimeNs, out sample);
        }

        var decoded = decoder.TryDecode(line, receiveTimeNs, defaultTimeNs, out sample);
        // A single field that is a value (not "X_quality" alone) gives the series' path; a hit re-checks the field's type.
        if (!decoded || sample.Value.Kind != SampleValueKind.Null)
        {
            Learn(prefix, decoded ? sample.Path : null);
        }

        return decoded;
    }

    private void Learn(ReadOnlySpan<byte> prefix, AssetPath? path)
    {
        if (_series.Count >= MaxEntries)
        {
            _series.Clear();
        }

        // Two workers learning the same series at once: the first path stays, so all hand out the same instance.
        _lookup.TryAdd(prefix, path);
    }

    /// <summary>The line from its first byte to the end of <paramref name="fieldKey"/> (a slice of the same line).</summary>
    private static ReadOnlySpan<byte> Prefix(in LineProtocolLine line, ReadOnlySpan<byte> fieldKey)
    {
        var raw = line.Raw;
        var offset = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(raw), ref MemoryMarshal.GetReference(fieldKey));
        return raw[..(offset + fieldKey.Length)];
    }

    /// <summary>Byte-wise equality with a seeded 8-bytes-at-a-time multiply-xorshift hash; span look-ups allocate nothing.</summary>
    private sealed class PrefixComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        private const ulong Prime = 0x9E3779B97F4A7C15;
        private readonly ulong _seed = (ulong)Random.Shared.NextInt64();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(byte[] obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        private int Hash(ReadOnlySpan<byte> bytes)
        {
            var h = _seed ^ ((ulong)bytes.Length * Prime);
            while (bytes.Length >= 8)
            {
                h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes));
                bytes = bytes[8..];
            }

            ulong tail = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                tail |= (ulong)bytes[i] << (8 * i);
            }

            h = Mix(h ^ tail);
            return (int)(h ^ (h >> 32));
        }

        private static ulong Mix(ulong h)
        {
            h *= Prime;
            return h ^ (h >> 31);
        }
    }
}
