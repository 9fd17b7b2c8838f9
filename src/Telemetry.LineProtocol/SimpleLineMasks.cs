using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Telemetry.LineProtocol;

/// <summary>
/// Classifies the first bytes of a line for <see cref="LineProtocolReader"/>'s simple-line path, up to 128 bytes
/// in two 64-byte blocks: where its token delimiters (<c>, = SP</c>) are, where it ends (LF), and whether it
/// holds anything the simple path leaves to the general one (a backslash, a quote, CR, a non-ASCII byte).
/// <see cref="Next"/> then hands out the delimiters of the line in order, one bit at a time.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct SimpleLineMasks
{
    public const int None = int.MaxValue;
    private const int Block = 64;

    private ulong _low;
    private ulong _high;

    /// <summary>Length of the line (offset of its LF from <c>start</c>).</summary>
    public int Length { get; private set; }

    /// <summary>
    /// True when the line starting at <paramref name="start"/> ends (LF) within 128 bytes, all inside
    /// <paramref name="input"/>, and holds no backslash, quote, CR or non-ASCII byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryClassify(ReadOnlySpan<byte> input, int start)
    {
        if (!Vector128.IsHardwareAccelerated || start > input.Length - Block)
        {
            return false;
        }

        ref var first = ref MemoryMarshal.GetReference(input);
        var delimiters = Classify(ref first, (nuint)start, out var newlines, out var stops);
        if (newlines != 0)
        {
            var length = BitOperations.TrailingZeroCount(newlines);
            var inLine = (1UL << length) - 1;
            if ((stops & inLine) != 0)
            {
                return false;
            }

            _low = delimiters & inLine;
            _high = 0;
            Length = length;
            return true;
        }

        if (stops != 0 || start > input.Length - (2 * Block))
        {
            return false;
        }

        var secondDelimiters = Classify(ref first, (nuint)(start + Block), out newlines, out stops);
        if (newlines == 0)
        {
            return false;
        }

        var secondLength = BitOperations.TrailingZeroCount(newlines);
        var inSecond = (1UL << secondLength) - 1;
        if ((stops & inSecond) != 0)
        {
            return false;
        }

        _low = delimiters;
        _high = secondDelimiters & inSecond;
        Length = Block + secondLength;
        return true;
    }

    /// <summary>Offset (from the line start) of the next delimiter of the line, or <see cref="None"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next()
    {
        var low = _low;
        if (low != 0)
        {
            _low = low & (low - 1);
            return BitOperations.TrailingZeroCount(low);
        }

        var high = _high;
        if (high != 0)
        {
            _high = high & (high - 1);
            return Block + BitOperations.TrailingZeroCount(high);
        }

        return None;
    }

    /// <summary>True when no delimiter is left in the line.</summary>
    public readonly bool IsEmpty => (_low | _high) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Classify(ref byte first, nuint at, out ulong newlines, out ulong stops)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var d0 = Bits(Vector256.LoadUnsafe(ref first, at), out var n0, out var s0);
            var d1 = Bits(Vector256.LoadUnsafe(ref first, at + 32), out var n1, out var s1);
            newlines = n0 | ((ulong)n1 << 32);
            stops = s0 | ((ulong)s1 << 32);
            return d0 | ((ulong)d1 << 32);
        }

        ulong delimiters = 0;
        newlines = 0;
        stops = 0;
        for (var k = 0; k < 4; k++)
        {
            var d = Bits(Vector128.LoadUnsafe(ref first, at + (nuint)(16 * k)), out var n, out var s);
            delimiters |= (ulong)d << (16 * k);
            newlines |= (ulong)n << (16 * k);
            stops |= (ulong)s << (16 * k);
        }

        return delimiters;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Bits(Vector256<byte> v, out uint newlines, out uint stops)
    {
        newlines = Vector256.Equals(v, Vector256.Create((byte)'\n')).ExtractMostSignificantBits();

        // A byte >= 0x80 has its top bit set: the byte itself is the non-ASCII mask.
        stops = (Vector256.Equals(v, Vector256.Create((byte)'\\'))
            | Vector256.Equals(v, Vector256.Create((byte)'"'))
            | Vector256.Equals(v, Vector256.Create((byte)'\r'))
            | v).ExtractMostSignificantBits();
        return (Vector256.Equals(v, Vector256.Create((byte)','))
            | Vector256.Equals(v, Vector256.Create((byte)'='))
            | Vector256.Equals(v, Vector256.Create((byte)' '))).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Bits(Vector128<byte> v, out uint newlines, out uint stops)
    {
        newlines = Vector128.Equals(v, Vector128.Create((byte)'\n')).ExtractMostSignificantBits();
        stops = (Vector128.Equals(v, Vector128.Create((byte)'\\'))
            | Vector128.Equals(v, Vector128.Create((byte)'"'))
            | Vector128.Equals(v, Vector128.Create((byte)'\r'))
            | v).ExtractMostSignificantBits();
        return (Vector128.Equals(v, Vector128.Create((byte)','))
            | Vector128.Equals(v, Vector128.Create((byte)'='))
            | Vector128.Equals(v, Vector128.Create((byte)' '))).ExtractMostSignificantBits();
    }
}
