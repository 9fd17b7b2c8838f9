using System.Text;
using Telemetry.Core;

namespace Telemetry.Storage.Format;

/// <summary>
/// Maps the encoded bytes of a series entry to one shared <see cref="AssetPath"/>, so decoding a record allocates
/// no names for series seen before. Bounded: it starts over when full. Not thread-safe (one per reader).
/// </summary>
public sealed class AssetPathInterner
{
    private const int MaxEntries = 65_536;
    private int[] _buckets = new int[1024];
    private Entry[] _entries = new Entry[1024];
    private int _count;

    public int Count => _count;

    /// <summary>Returns the path for <paramref name="encoded"/> (five length-prefixed UTF-8 segments).</summary>
    public AssetPath GetOrAdd(ReadOnlySpan<byte> encoded)
    {
        var hash = (int)Crc32C.Compute(encoded);
        var bucket = (int)((uint)hash % (uint)_buckets.Length);
        for (var i = _buckets[bucket] - 1; i >= 0; i = _entries[i].Next)
        {
            ref var entry = ref _entries[i];
            if (entry.Hash == hash && encoded.SequenceEqual(entry.Key))
            {
                return entry.Path;
            }
        }

        var path = Decode(encoded);
        if (_count == MaxEntries)
        {
            Clear();
        }

        if (_count == _entries.Length)
        {
            Resize();
        }

        bucket = (int)((uint)hash % (uint)_buckets.Length);
        _entries[_count] = new Entry(hash, encoded.ToArray(), path, _buckets[bucket] - 1);
        _buckets[bucket] = ++_count;
        return path;
    }

    public void Clear()
    {
        Array.Clear(_buckets);
        Array.Clear(_entries);
        _count = 0;
    }

    private void Resize()
    {
        var entries = new Entry[_entries.Length * 2];
        Array.Copy(_entries, entries, _count);
        var buckets = new int[entries.Length];
        for (var i = 0; i < _count; i++)
        {
            var b = (int)((uint)entries[i].Hash % (uint)buckets.Length);
            entries[i] = entries[i] with { Next = buckets[b] - 1 };
            buckets[b] = i + 1;
        }

        _entries = entries;
        _buckets = buckets;
    }

    private static AssetPath Decode(ReadOnlySpan<byte> encoded)
    {
        var p = 0;
        var site = ReadString(encoded, ref p);
        var area = ReadString(encoded, ref p);
        var line = ReadString(encoded, ref p);
        var machine = ReadString(encoded, ref p);
        var tag = ReadString(encoded, ref p);
        try
        {
            return new AssetPath(site, area, line, machine, tag);
        }
        catch (ArgumentException ex)
        {
            throw new SpoolException(SpoolError.Corrupt, $"A spool record names an invalid asset path: {ex.Message}", ex);
        }
    }

    private static string ReadString(ReadOnlySpan<byte> source, ref int position)
    {
        var length = VarInt.ReadLength(source, ref position, SpoolLimits.MaxNameBytes, "name length");
        if (length > source.Length - position)
        {
            SpoolException.ThrowCorrupt("An asset path in a spool record is truncated.");
        }

        var text = Encoding.UTF8.GetString(source.Slice(position, length));
        position += length;
        return text;
    }

    private readonly record struct Entry(int Hash, byte[] Key, AssetPath Path, int Next);
}
