using System.Text;
using Telemetry.Core;

namespace Telemetry.LineProtocol;

/// <summary>
/// The ingest side of <see cref="SampleLineEncoder"/>'s schema: a parsed line of the schema's measurement back into
/// a <see cref="Sample"/> (asset path from the site/area/line/machine tags, value from the one value field, quality
/// from <c>TAG_quality</c> via <see cref="Quality.FromOpcUaStatus"/>, Good when absent). Other tags are ignored.
/// Float → Double, integer → Int64, unsigned → Int64 when it fits, boolean → Boolean, string → String.
/// Without a timestamp the sample gets <c>defaultTimeNs</c> (the server's receive time, as InfluxDB does).
/// Asset paths are cached per distinct series (tag values and tag name), so decoding a known series allocates
/// nothing but string values.
/// Not thread-safe.
/// </summary>
public sealed class SampleLineDecoder
{
    private const int MaxCachedPaths = 100_000;

    private readonly byte[] _measurement;
    private readonly Dictionary<PathKey, AssetPath> _paths = [];
    private byte[] _scratch = new byte[256];
    private byte[] _keyA = new byte[64];
    private byte[] _keyB = new byte[64];

    public SampleLineDecoder(string measurement = SampleLineEncoder.DefaultMeasurement)
    {
        ArgumentException.ThrowIfNullOrEmpty(measurement);
        _measurement = Encoding.UTF8.GetBytes(measurement);
    }

    /// <summary>True when the line is of this schema's measurement (other lines are not samples of this schema).</summary>
    public bool IsSchemaLine(in LineProtocolLine line) => line.Measurement.EqualsUtf8(_measurement);

    /// <summary>
    /// Decodes a line; false when its measurement is another one. Throws <see cref="LineProtocolException"/>
    /// (<see cref="LineProtocolError.SchemaMismatch"/>, with the line number) when the measurement matches but the
    /// tags or fields do not fit the schema.
    /// </summary>
    public bool TryDecode(in LineProtocolLine line, long receiveTimeNs, long defaultTimeNs, out Sample sample)
    {
        sample = default;
        if (!IsSchemaLine(line))
        {
            return false;
        }

        var site = line.IndexOfTag("site"u8);
        var machine = line.IndexOfTag("machine"u8);
        if (site < 0 || machine < 0)
        {
            throw Mismatch(line, "a line of the sample schema needs the tags 'site' and 'machine'");
        }

        var area = line.IndexOfTag("area"u8);
        var lineTag = line.IndexOfTag("line"u8);

        // The sample's tag name: the value field's key, or the quality field's key less "_quality" (unescaped).
        int valueIndex;
        int qualityIndex;
        ReadOnlySpan<byte> tagName;
        var suffix = "_quality"u8;
        if (line.FieldCount == 1)
        {
            var key = Unescape(line.GetField(0).Key, ref _keyA);
            if (key.Length > suffix.Length && key.EndsWith(suffix))
            {
                tagName = key[..^suffix.Length];
                valueIndex = -1;
                qualityIndex = 0;
            }
            else
            {
                tagName = key;
                valueIndex = 0;
                qualityIndex = -1;
            }
        }
        else if (line.FieldCount == 2)
        {
            var first = Unescape(line.GetField(0).Key, ref _keyA);
            var second = Unescape(line.GetField(1).Key, ref _keyB);
            if (second.Length == first.Length + suffix.Length && second.StartsWith(first) && second.EndsWith(suffix))
            {
                tagName = first;
                valueIndex = 0;
                qualityIndex = 1;
            }
            else if (first.Length == second.Length + suffix.Length && first.StartsWith(second) && first.EndsWith(suffix))
            {
                tagName = second;
                valueIndex = 1;
                qualityIndex = 0;
            }
            else
            {
                throw Mismatch(line, "two fields must be a value 'X' and its quality 'X_quality'");
            }
        }
        else
        {
            throw Mismatch(line, "a line of the sample schema has one value field and at most one quality field");
        }

        var quality = Quality.Good;
        if (qualityIndex >= 0)
        {
            var field = line.GetField(qualityIndex);
            if (field.Type != LineProtocolFieldType.Integer || field.IntegerValue < 0 || field.IntegerValue > uint.MaxValue)
            {
                throw Mismatch(line, "the quality field must be an integer status code between 0 and 4294967295");
            }

            quality = Quality.FromOpcUaStatus((uint)field.IntegerValue);
        }

        var value = valueIndex < 0 ? SampleValue.Null : ReadValue(line, valueIndex);
        var path = GetPath(line, site, area, lineTag, machine, tagName);
        var time = line.HasTimestamp ? line.UnixNanoseconds : defaultTimeNs;
        sample = new Sample(path, time, value, quality, receiveTimeNs);
        return true;
    }

    private static SampleValue ReadValue(in LineProtocolLine line, int index)
    {
        var field = line.GetField(index);
        return field.Type switch
        {
            LineProtocolFieldType.Float => SampleValue.FromDouble(field.FloatValue),
            LineProtocolFieldType.Integer => SampleValue.FromInt64(field.IntegerValue),
            LineProtocolFieldType.Unsigned when field.UnsignedValue <= long.MaxValue => SampleValue.FromInt64((long)field.UnsignedValue),
            LineProtocolFieldType.Boolean => SampleValue.FromBoolean(field.BooleanValue),
            LineProtocolFieldType.String => SampleValue.FromString(field.StringValue.ToString()),
            _ => throw Mismatch(line, "an unsigned value above 9223372036854775807 does not fit a sample"),
        };
    }

    private static ReadOnlySpan<byte> Unescape(LineProtocolText text, ref byte[] buffer)
    {
        if (!text.IsEscaped)
        {
            return text.Raw;
        }

        if (buffer.Length < text.Raw.Length)
        {
            buffer = new byte[Math.Max(text.Raw.Length, buffer.Length * 2)];
        }

        return buffer.AsSpan(0, text.CopyTo(buffer));
    }

    private AssetPath GetPath(in LineProtocolLine line, int site, int area, int lineTag, int machine, ReadOnlySpan<byte> tag)
    {
        // Cache key: the raw tag values (length-prefixed) and the tag name, joined in a scratch buffer.
        var siteRaw = line.GetTag(site).Value.Raw;
        var machineRaw = line.GetTag(machine).Value.Raw;
        var areaRaw = area >= 0 ? line.GetTag(area).Value.Raw : default;
        var lineRaw = lineTag >= 0 ? line.GetTag(lineTag).Value.Raw : default;
        var needed = siteRaw.Length + machineRaw.Length + areaRaw.Length + lineRaw.Length + tag.Length + 16;
        if (_scratch.Length < needed)
        {
            _scratch = new byte[Math.Max(needed, _scratch.Length * 2)];
        }

        var length = Append(_scratch, 0, siteRaw);
        length = Append(_scratch, length, areaRaw);
        length = Append(_scratch, length, lineRaw);
        length = Append(_scratch, length, machineRaw);
        tag.CopyTo(_scratch.AsSpan(length));
        length += tag.Length;
        var probe = new PathKey(_scratch, length);
        if (_paths.TryGetValue(probe, out var path))
        {
            return path;
        }

        path = new AssetPath(
            line.GetTag(site).Value.ToString(),
            area >= 0 ? line.GetTag(area).Value.ToString() : string.Empty,
            lineTag >= 0 ? line.GetTag(lineTag).Value.ToString() : string.Empty,
            line.GetTag(machine).Value.ToString(),
            Encoding.UTF8.GetString(tag));
        if (_paths.Count >= MaxCachedPaths)
        {
            _paths.Clear();
        }

        _paths[new PathKey(_scratch.AsSpan(0, length).ToArray(), length)] = path;
        return path;
    }

    private static int Append(byte[] buffer, int at, ReadOnlySpan<byte> part)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), part.Length);
        part.CopyTo(buffer.AsSpan(at + 4));
        return at + 4 + part.Length;
    }

    private static LineProtocolException Mismatch(in LineProtocolLine line, string reason) =>
        new(LineProtocolError.SchemaMismatch, reason, line.LineNumber, 1, Encoding.UTF8.GetString(line.Raw.Length > 200 ? line.Raw[..200] : line.Raw));

    private readonly struct PathKey(byte[] bytes, int length) : IEquatable<PathKey>
    {
        private readonly byte[] _bytes = bytes;
        private readonly int _length = length;

        public bool Equals(PathKey other) => _bytes.AsSpan(0, _length).SequenceEqual(other._bytes.AsSpan(0, other._length));

        public override bool Equals(object? obj) => obj is PathKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(_bytes.AsSpan(0, _length));
            return hash.ToHashCode();
        }
    }
}
