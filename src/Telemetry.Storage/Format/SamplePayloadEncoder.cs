using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Telemetry.Core;

namespace Telemetry.Storage.Format;

/// <summary>
/// Encodes samples into a record payload (format version 1). Series names are dictionary-coded per record, timestamps
/// are zig-zag deltas from the previous sample, numbers are raw doubles or zig-zag varints.
/// <code>
/// payload  := version u8 (=1) | sampleCount varint | seriesCount varint | series* | sample*
/// series   := 5 × (byteLength varint | UTF-8)        site, area, line, machine, tag
/// sample   := seriesIndex varint | flags u8 | Δsource zigzag | Δreceive zigzag | [status varint] | value
/// flags    := bits 0-2 value kind | bits 3-4 quality level | bit 5 has status | bit 6 boolean value | bit 7 = 0
/// value    := Double: 8 bytes LE | Int64: zigzag varint | String: byteLength varint | UTF-8 | Null, Boolean: nothing
/// </code>
/// Δsource and Δreceive are differences to the previous sample of the record (the first one to 0).
/// Not thread-safe: one encoder per writer thread. Allocation-free once its caches are warm.
/// </summary>
public sealed class SamplePayloadEncoder
{
    public const byte FormatVersion = 1;
    internal const int FlagHasStatus = 1 << 5;
    internal const int FlagTrue = 1 << 6;
    private const int MaxCachedPaths = 65_536;

    private readonly Dictionary<AssetPath, byte[]> _encodedPaths = [];
    private readonly Dictionary<AssetPath, int> _seriesIndex = [];
    private readonly List<byte[]> _series = [];
    private int[] _sampleSeries = new int[256];

    /// <summary>Encodes <paramref name="samples"/> (at most <see cref="SpoolLimits.MaxSamplesPerRecord"/>) into <paramref name="writer"/>.</summary>
    public void Encode(ReadOnlySpan<Sample> samples, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(samples.Length, SpoolLimits.MaxSamplesPerRecord, nameof(samples));
        if (_sampleSeries.Length < samples.Length)
        {
            _sampleSeries = new int[Math.Max(samples.Length, _sampleSeries.Length * 2)];
        }

        _seriesIndex.Clear();
        _series.Clear();
        if (_encodedPaths.Count > MaxCachedPaths)
        {
            _encodedPaths.Clear();
        }

        var dictionaryBytes = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var path = samples[i].Path ?? throw new ArgumentException($"Sample {i} has no asset path.", nameof(samples));
            if (!_seriesIndex.TryGetValue(path, out var index))
            {
                index = _series.Count;
                var encoded = EncodedPath(path);
                _series.Add(encoded);
                _seriesIndex.Add(path, index);
                dictionaryBytes += encoded.Length;
            }

            _sampleSeries[i] = index;
        }

        var head = writer.GetSpan(1 + (2 * VarInt.MaxLength) + dictionaryBytes);
        var n = 0;
        head[n++] = FormatVersion;
        n += VarInt.Write(head[n..], (ulong)samples.Length);
        n += VarInt.Write(head[n..], (ulong)_series.Count);
        foreach (var entry in _series)
        {
            entry.CopyTo(head[n..]);
            n += entry.Length;
        }

        writer.Advance(n);

        long previousSource = 0;
        long previousReceive = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            ref readonly var sample = ref samples[i];
            var value = sample.Value;
            var stringBytes = value.Kind == SampleValueKind.String ? Encoding.UTF8.GetByteCount(value.AsString()) : 0;
            if (stringBytes > SpoolLimits.MaxStringBytes)
            {
                throw new SpoolException(SpoolError.RecordTooLarge,
                    $"A string value of {sample.Path} is {stringBytes} bytes, above the spool's limit of {SpoolLimits.MaxStringBytes}.");
            }

            var span = writer.GetSpan(64 + stringBytes);
            var p = VarInt.Write(span, (ulong)_sampleSeries[i]);
            var flags = (int)value.Kind | ((int)sample.Quality.Level << 3);
            if (sample.Quality.SourceStatus != 0)
            {
                flags |= FlagHasStatus;
            }

            if (value.Kind == SampleValueKind.Boolean && value.RawBits != 0)
            {
                flags |= FlagTrue;
            }

            span[p++] = (byte)flags;
            p += VarInt.WriteSigned(span[p..], sample.SourceTimeNs - previousSource);
            p += VarInt.WriteSigned(span[p..], sample.ReceiveTimeNs - previousReceive);
            previousSource = sample.SourceTimeNs;
            previousReceive = sample.ReceiveTimeNs;
            if (sample.Quality.SourceStatus != 0)
            {
                p += VarInt.Write(span[p..], sample.Quality.SourceStatus);
            }

            switch (value.Kind)
            {
                case SampleValueKind.Double:
                    BinaryPrimitives.WriteInt64LittleEndian(span[p..], value.RawBits);
                    p += 8;
                    break;
                case SampleValueKind.Int64:
                    p += VarInt.WriteSigned(span[p..], value.RawBits);
                    break;
                case SampleValueKind.String:
                    p += VarInt.Write(span[p..], (ulong)stringBytes);
                    p += Encoding.UTF8.GetBytes(value.AsString(), span[p..]);
                    break;
                default:
                    break;
            }

            writer.Advance(p);
        }

        // drop references so the encoder does not keep a batch's paths alive longer than its cache does
        _seriesIndex.Clear();
        _series.Clear();
    }

    private byte[] EncodedPath(AssetPath path)
    {
        if (_encodedPaths.TryGetValue(path, out var cached))
        {
            return cached;
        }

        var length = 0;
        foreach (var part in Parts(path))
        {
            var count = Encoding.UTF8.GetByteCount(part);
            if (count > SpoolLimits.MaxNameBytes)
            {
                throw new SpoolException(SpoolError.RecordTooLarge,
                    $"Asset path {path} has a segment of {count} bytes, above the spool's limit of {SpoolLimits.MaxNameBytes}.");
            }

            length += VarInt.Length((ulong)count) + count;
        }

        var bytes = new byte[length];
        var p = 0;
        foreach (var part in Parts(path))
        {
            p += VarInt.Write(bytes.AsSpan(p), (ulong)Encoding.UTF8.GetByteCount(part));
            p += Encoding.UTF8.GetBytes(part, bytes.AsSpan(p));
        }

        _encodedPaths[path] = bytes;
        return bytes;
    }

    private static PathParts Parts(AssetPath path) => new(path);

    /// <summary>The five segments of a path without allocating an array.</summary>
    private readonly struct PathParts(AssetPath path)
    {
        public Enumerator GetEnumerator() => new(path);

        public struct Enumerator(AssetPath path)
        {
            private int _index = -1;

            public readonly string Current => _index switch
            {
                0 => path.Site,
                1 => path.Area,
                2 => path.Line,
                3 => path.Machine,
                _ => path.Tag,
            };

            public bool MoveNext() => ++_index < 5;
        }
    }
}
