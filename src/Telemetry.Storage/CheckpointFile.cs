using System.Buffers.Binary;
using Telemetry.Storage.Format;
using Telemetry.Storage.IO;

namespace Telemetry.Storage;

/// <summary>
/// The durable cursor: written to "checkpoint.tmp", flushed, atomically renamed over "checkpoint", directory flushed.
/// <code>
/// 0            4             8                    16              20
/// | "TSCP" u32 | version u32 | low-water u64 LE   | crc32c of 0..16 |
/// </code>
/// </summary>
internal sealed class CheckpointFile(ISpoolFileSystem fileSystem, string directory)
{
    public const string FileName = "checkpoint";
    private const int Size = 20;
    private const uint Magic = 0x50435354; // "TSCP" little-endian
    private const uint Version = 1;

    private readonly string _path = Path.Combine(directory, FileName);
    private readonly string _tmpPath = Path.Combine(directory, FileName + ".tmp");

    /// <summary>The persisted low-water mark, or null when there is none or it is damaged (<paramref name="damaged"/> says which).</summary>
    public long? TryRead(out bool damaged)
    {
        damaged = false;
        if (!fileSystem.FileExists(_path))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[Size + 1];
        int read;
        using (var file = fileSystem.OpenRead(_path))
        {
            read = ReadFully(file, bytes);
        }

        if (read != Size ||
            BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic ||
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) != Version ||
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]) != Crc32C.Compute(bytes[..16]))
        {
            damaged = true;
            return null;
        }

        return BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
    }

    public void Write(long lowWater)
    {
        Span<byte> bytes = stackalloc byte[Size];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], lowWater);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], Crc32C.Compute(bytes[..16]));
        using (var file = fileSystem.OpenAppend(_tmpPath))
        {
            file.Truncate(0);
            file.Append(bytes);
            file.Flush();
        }

        fileSystem.Rename(_tmpPath, _path);
        fileSystem.FlushDirectory(directory);
    }

    public void DeleteLeftoverTemp()
    {
        if (fileSystem.FileExists(_tmpPath))
        {
            fileSystem.Delete(_tmpPath);
        }
    }

    internal static int ReadFully(ISpoolFile file, Span<byte> destination, long position = 0)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var n = file.Read(position + total, destination[total..]);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
