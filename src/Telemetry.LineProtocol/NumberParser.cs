using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Telemetry.LineProtocol;

/// <summary>
/// Field value numbers, strictly:
/// <code>
/// float    = ["-"] ( digits ["." [digits]] | "." digits ) [("e"|"E") ["+"|"-"] digits]
/// integer  = ["-"] digits "i"          (int64)
/// unsigned = digits "u"                (uint64)
/// </code>
/// No NaN, no infinity, no hex, no '+' sign in front (as InfluxDB 1.x). Floats outside the double range are
/// refused ("value out of range"), as Go's strconv.ParseFloat refuses them in InfluxDB.
/// </summary>
internal static class NumberParser
{
    private static readonly double[] PowersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static LineProtocolError TryParse(ReadOnlySpan<byte> s, out LineProtocolFieldType type, out long bits)
    {
        type = LineProtocolFieldType.Float;
        bits = 0;
        var last = s[^1];
        if (last == (byte)'i')
        {
            type = LineProtocolFieldType.Integer;
            return ParseInteger(s[..^1], out bits);
        }

        if (last == (byte)'u')
        {
            type = LineProtocolFieldType.Unsigned;
            return ParseUnsigned(s[..^1], out bits);
        }

        return ParseFloat(s, out bits);
    }

    /// <summary>["-"] digits, as int64 (timestamps and integer fields).</summary>
    public static LineProtocolError ParseInteger(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        var negative = !s.IsEmpty && s[0] == (byte)'-';
        var digits = negative ? s[1..] : s;
        if (digits.IsEmpty)
        {
            return LineProtocolError.InvalidNumber;
        }

        // 19 digits cannot overflow an unsigned 64-bit magnitude: no per-digit range check for them, and eight at
        // a time while eight remain (timestamps have 19 digits: two such steps and three single digits).
        ulong magnitude = 0;
        var fast = Math.Min(digits.Length, 19);
        var k = 0;
        for (; k + 8 <= fast; k += 8)
        {
            var chunk = BinaryPrimitives.ReadUInt64LittleEndian(digits[k..]);
            if (!AreEightDigits(chunk))
            {
                return LineProtocolError.InvalidNumber;
            }

            magnitude = (magnitude * 100_000_000) + EightDigitsValue(chunk);
        }

        for (; k < fast; k++)
        {
            var d = (uint)(digits[k] - '0');
            if (d > 9)
            {
                return LineProtocolError.InvalidNumber;
            }

            magnitude = (magnitude * 10) + d;
        }

        var overflow = false;
        foreach (var c in digits[fast..])
        {
            var d = (uint)(c - '0');
            if (d > 9)
            {
                return LineProtocolError.InvalidNumber;
            }

            if (magnitude > (ulong.MaxValue - d) / 10)
            {
                overflow = true;
            }
            else
            {
                magnitude = (magnitude * 10) + d;
            }
        }

        if (overflow || magnitude > (negative ? 9_223_372_036_854_775_808UL : long.MaxValue))
        {
            return LineProtocolError.ValueOutOfRange;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return LineProtocolError.None;
    }

    /// <summary>True when all eight bytes (little-endian in <paramref name="chunk"/>) are ASCII '0'..'9'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AreEightDigits(ulong chunk) =>
        // Each byte 0x30..0x3F, and still 0x3_ after adding 6 (so at most 0x39); no carry once the first holds.
        ((chunk & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030)
        & (((chunk + 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030);

    /// <summary>The number eight ASCII digits spell, first digit in the low byte (SWAR: pairs, quads, then the whole).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigitsValue(ulong chunk)
    {
        chunk -= 0x3030_3030_3030_3030;
        chunk = ((chunk * 10) + (chunk >> 8)) & 0x00FF_00FF_00FF_00FF;
        chunk = ((chunk * 100) + (chunk >> 16)) & 0x0000_FFFF_0000_FFFF;
        return ((chunk * 10_000) + (chunk >> 32)) & 0xFFFF_FFFF;
    }

    private static LineProtocolError ParseUnsigned(ReadOnlySpan<byte> s, out long bits)
    {
        bits = 0;
        if (s.IsEmpty)
        {
            return LineProtocolError.InvalidNumber;
        }

        ulong value = 0;
        var overflow = false;
        foreach (var c in s)
        {
            var d = (uint)(c - '0');
            if (d > 9)
            {
                return LineProtocolError.InvalidNumber;
            }

            if (value > (ulong.MaxValue - d) / 10)
            {
                overflow = true;
            }
            else
            {
                value = (value * 10) + d;
            }
        }

        if (overflow)
        {
            return LineProtocolError.ValueOutOfRange;
        }

        bits = (long)value;
        return LineProtocolError.None;
    }

    private static LineProtocolError ParseFloat(ReadOnlySpan<byte> s, out long bits)
    {
        if (TryParseShortDecimal(s, out var shortValue))
        {
            bits = BitConverter.DoubleToInt64Bits(shortValue);
            return LineProtocolError.None;
        }

        return ParseFloatGeneral(s, out bits);
    }

    /// <summary>
    /// The common case of a sensor value, ["-"] digits ["." digits] with at most 15 digits and no exponent: the
    /// digits fit a double exactly and one division by an exact power of ten rounds correctly (Clinger). False for
    /// anything else, which the general path then parses or refuses.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps its loop in registers, out of the reader's large frame
    private static bool TryParseShortDecimal(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.Length > 17)
        {
            return false;
        }

        var i = s[0] == (byte)'-' ? 1 : 0;
        ulong mantissa = 0;
        var digitCount = 0;
        var fractionDigits = 0;
        var seenPoint = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            var d = (uint)(c - '0');
            if (d <= 9)
            {
                mantissa = (mantissa * 10) + d;
                digitCount++;
                fractionDigits += seenPoint ? 1 : 0;
            }
            else if (c == (byte)'.' && !seenPoint)
            {
                seenPoint = true;
            }
            else
            {
                return false;
            }
        }

        if (digitCount == 0 || digitCount > 15)
        {
            return false;
        }

        value = (long)mantissa / PowersOf10[fractionDigits];
        if (s[0] == (byte)'-')
        {
            value = -value;
        }

        return true;
    }

    private static LineProtocolError ParseFloatGeneral(ReadOnlySpan<byte> s, out long bits)
    {
        bits = 0;
        var i = 0;
        var negative = s[0] == (byte)'-';
        if (negative)
        {
            i++;
        }

        ulong mantissa = 0;
        var significant = 0;     // digits accumulated into mantissa
        var dropped = 0;         // integer digits that did not fit (scale up)
        var fractionDigits = 0;  // fraction digits accumulated (scale down)
        var intDigits = 0;
        var fracSeen = 0;
        for (; i < s.Length; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                break;
            }

            intDigits++;
            if (mantissa == 0 && d == 0)
            {
                continue;
            }

            if (significant < 19)
            {
                mantissa = (mantissa * 10) + d;
                significant++;
            }
            else
            {
                dropped++;
            }
        }

        if (i < s.Length && s[i] == (byte)'.')
        {
            for (i++; i < s.Length; i++)
            {
                var d = (uint)(s[i] - '0');
                if (d > 9)
                {
                    break;
                }

                fracSeen++;
                if (mantissa == 0 && d == 0)
                {
                    fractionDigits++;
                    continue;
                }

                if (significant < 19)
                {
                    mantissa = (mantissa * 10) + d;
                    significant++;
                    fractionDigits++;
                }
            }
        }

        if (intDigits + fracSeen == 0)
        {
            return LineProtocolError.InvalidNumber;
        }

        var exponent = 0;
        if (i < s.Length && (s[i] == (byte)'e' || s[i] == (byte)'E'))
        {
            i++;
            var expNegative = false;
            if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-'))
            {
                expNegative = s[i] == (byte)'-';
                i++;
            }

            var expDigits = 0;
            for (; i < s.Length; i++)
            {
                var d = (uint)(s[i] - '0');
                if (d > 9)
                {
                    break;
                }

                expDigits++;
                if (exponent < 100_000)
                {
                    exponent = (exponent * 10) + (int)d;
                }
            }

            if (expDigits == 0)
            {
                return LineProtocolError.InvalidNumber;
            }

            if (expNegative)
            {
                exponent = -exponent;
            }
        }

        if (i != s.Length)
        {
            return LineProtocolError.InvalidNumber;
        }

        // Clinger's fast path: an exact mantissa below 2^53 and a power of ten that is exact in a double give a
        // correctly rounded result with one multiplication or division.
        var scale = exponent + dropped - fractionDigits;
        double value;
        if (mantissa == 0)
        {
            value = 0;
        }
        else if (mantissa <= (1UL << 53) && dropped == 0 && scale >= -22 && scale <= 22)
        {
            value = scale < 0 ? mantissa / PowersOf10[-scale] : mantissa * PowersOf10[scale];
        }
        else if (!double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                     CultureInfo.InvariantCulture, out value))
        {
            return LineProtocolError.InvalidNumber;
        }
        else
        {
            value = Math.Abs(value);
        }

        if (!double.IsFinite(value))
        {
            return LineProtocolError.ValueOutOfRange;
        }

        bits = BitConverter.DoubleToInt64Bits(negative ? -value : value);
        return LineProtocolError.None;
    }
}
