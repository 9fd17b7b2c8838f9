using System.Runtime.CompilerServices;

namespace Telemetry.Storage.Format;

/// <summary>LEB128 unsigned varints and zig-zag signed ones (as protobuf encodes them).</summary>
internal static class VarInt
{
    public const int MaxLength = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteSigned(Span<byte> destination, long value) => Write(destination, ZigZag(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static int Length(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    /// <summary>Reads a varint at <paramref name="position"/>, advancing it; throws <see cref="SpoolException"/> when malformed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read(ReadOnlySpan<byte> source, ref int position)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if ((uint)position >= (uint)source.Length || shift > 63)
            {
                SpoolException.ThrowCorrupt("A varint in a spool record is truncated or longer than 10 bytes.");
            }

            var b = source[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }

            shift += 7;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ReadSigned(ReadOnlySpan<byte> source, ref int position)
    {
        var raw = Read(source, ref position);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public static int ReadLength(ReadOnlySpan<byte> source, ref int position, int limit, string what)
    {
        var value = Read(source, ref position);
        if (value > (ulong)limit)
        {
            SpoolException.ThrowCorrupt($"A spool record's {what} is {value}, above the limit {limit}.");
        }

        return (int)value;
    }
}
