using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Telemetry.LineProtocol;

/// <summary>
/// Finds the next byte that can end, escape or quote a token of a line: <c>, = SP LF CR \ "</c>. The reader's
/// token loops look only at these bytes and step over every other one. The cursor classifies 64 bytes at once
/// into a bit mask (one bit per delimiter) and answers the following lookups in that block with a shift and a
/// trailing-zero count, so a short line costs about one block classification instead of one scan per token.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal ref struct DelimiterCursor
{
    private const int Block = 64;

    private readonly ReadOnlySpan<byte> _s;
    private int _base;
    private ulong _mask;

    public DelimiterCursor(ReadOnlySpan<byte> s)
    {
        _s = s;
        _base = int.MinValue / 2;
        _mask = 0;
    }

    /// <summary>Index of the first delimiter at or after <paramref name="from"/>, or the span's length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(int from)
    {
        var offset = (uint)(from - _base);
        if (offset < Block)
        {
            var bits = _mask >> (int)offset;
            if (bits != 0)
            {
                return from + BitOperations.TrailingZeroCount(bits);
            }

            return Refill(_base + Block);
        }

        return Refill(from);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Refill(int from)
    {
        var s = _s;
        while (from < s.Length)
        {
            var mask = Classify(s, from);
            _base = from;
            _mask = mask;
            if (mask != 0)
            {
                return from + BitOperations.TrailingZeroCount(mask);
            }

            from += Block;
        }

        return s.Length;
    }

    /// <summary>Bit k set when s[from + k] is a delimiter, for the up to 64 bytes from <paramref name="from"/>.</summary>
    private static ulong Classify(ReadOnlySpan<byte> s, int from)
    {
        var length = s.Length;
        if (length >= Block && Vector128.IsHardwareAccelerated)
        {
            ref var start = ref MemoryMarshal.GetReference(s);
            if (from <= length - Block)
            {
                return Bits64(ref start, (nuint)from);
            }

            // Fewer than 64 bytes left: classify the last 64 and drop the ones before 'from'.
            var last = length - Block;
            return Bits64(ref start, (nuint)last) >> (from - last);
        }

        ulong scalar = 0;
        var end = Math.Min(length, from + Block);
        for (var i = from; i < end; i++)
        {
            if (IsDelimiter(s[i]))
            {
                scalar |= 1UL << (i - from);
            }
        }

        return scalar;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bits64(ref byte start, nuint at)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Bits(Vector256.LoadUnsafe(ref start, at));
            var high = Bits(Vector256.LoadUnsafe(ref start, at + 32));
            return low | ((ulong)high << 32);
        }

        ulong b0 = Bits(Vector128.LoadUnsafe(ref start, at));
        ulong b1 = Bits(Vector128.LoadUnsafe(ref start, at + 16));
        ulong b2 = Bits(Vector128.LoadUnsafe(ref start, at + 32));
        ulong b3 = Bits(Vector128.LoadUnsafe(ref start, at + 48));
        return b0 | (b1 << 16) | (b2 << 32) | (b3 << 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Bits(Vector256<byte> v)
    {
        var hit = Vector256.Equals(v, Vector256.Create((byte)' '))
            | Vector256.Equals(v, Vector256.Create((byte)','))
            | Vector256.Equals(v, Vector256.Create((byte)'='))
            | Vector256.Equals(v, Vector256.Create((byte)'\n'))
            | Vector256.Equals(v, Vector256.Create((byte)'\r'))
            | Vector256.Equals(v, Vector256.Create((byte)'\\'))
            | Vector256.Equals(v, Vector256.Create((byte)'"'));
        return hit.ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Bits(Vector128<byte> v)
    {
        var hit = Vector128.Equals(v, Vector128.Create((byte)' '))
            | Vector128.Equals(v, Vector128.Create((byte)','))
            | Vector128.Equals(v, Vector128.Create((byte)'='))
            | Vector128.Equals(v, Vector128.Create((byte)'\n'))
            | Vector128.Equals(v, Vector128.Create((byte)'\r'))
            | Vector128.Equals(v, Vector128.Create((byte)'\\'))
            | Vector128.Equals(v, Vector128.Create((byte)'"'));
        return hit.ExtractMostSignificantBits();
    }

    private static bool IsDelimiter(byte b) =>
        b is (byte)' ' or (byte)',' or (byte)'=' or (byte)'\n' or (byte)'\r' or (byte)'\\' or (byte)'"';
}
