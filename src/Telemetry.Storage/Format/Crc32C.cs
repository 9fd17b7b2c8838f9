using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Telemetry.Storage.Format;

/// <summary>CRC-32C (Castagnoli) over <see cref="BitOperations.Crc32C(uint, ulong)"/>: seed ~0, inverted at the end.</summary>
internal static class Crc32C
{
    public const uint Seed = ~0u;

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(Seed, data);

    /// <summary>Continues a running (not yet inverted) CRC over more bytes.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var longs = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var value in longs)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
        }

        for (var i = longs.Length * sizeof(ulong); i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return crc;
    }
}
