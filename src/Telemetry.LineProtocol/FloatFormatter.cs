using System.Globalization;

namespace Telemetry.LineProtocol;

/// <summary>
/// Doubles in the shortest round-trip form, byte for byte what <c>double.ToString("R")</c> gives, with a fast path
/// for the short decimals telemetry is full of (21.5, 1500.125, 0.37). The fast path looks for the fewest fraction
/// digits k (0..8) such that m = round(|v|·10^k) gives back v as m / 10^k. With m below 10^15 (at most 15
/// significant digits) at most one such m exists for a given k, because doubles are denser than 15-digit decimals;
/// m / 10^k with both exact is the correctly rounded value a parser computes, so the digits round-trip and are the
/// shortest ones. Fixed notation is what "R" uses for 1e-4 &lt;= |v| &lt; 1e15; anything else (zero, exponents,
/// 16-17 digit values) goes to <see cref="double.TryFormat(Span{byte}, out int, ReadOnlySpan{char}, IFormatProvider?)"/>.
/// </summary>
internal static class FloatFormatter
{
    public const int MaxLength = 32;

    private static readonly double[] PowersOf10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

    public static int Format(double value, Span<byte> destination)
    {
        if (TryFormatShortDecimal(value, destination, out var written))
        {
            return written;
        }

        if (!value.TryFormat(destination, out written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit in 32 bytes.");
        }

        return written;
    }

    private static bool TryFormatShortDecimal(double value, Span<byte> destination, out int written)
    {
        written = 0;
        var abs = Math.Abs(value);
        if (!(abs >= 1e-4 && abs < 1e15))
        {
            return false;
        }

        for (var k = 0; k < PowersOf10.Length; k++)
        {
            var scaled = abs * PowersOf10[k];
            if (scaled >= 1e15)
            {
                return false;
            }

            var m = Math.Round(scaled);
            if (m / PowersOf10[k] != abs)
            {
                continue;
            }

            Span<byte> digits = stackalloc byte[20];
            ((ulong)m).TryFormat(digits, out var count, default, CultureInfo.InvariantCulture);
            if (value < 0)
            {
                destination[written++] = (byte)'-';
            }

            if (k == 0)
            {
                digits[..count].CopyTo(destination[written..]);
                written += count;
            }
            else if (count > k)
            {
                digits[..(count - k)].CopyTo(destination[written..]);
                written += count - k;
                destination[written++] = (byte)'.';
                digits[(count - k)..count].CopyTo(destination[written..]);
                written += k;
            }
            else
            {
                destination[written++] = (byte)'0';
                destination[written++] = (byte)'.';
                destination.Slice(written, k - count).Fill((byte)'0');
                written += k - count;
                digits[..count].CopyTo(destination[written..]);
                written += count;
            }

            return true;
        }

        return false;
    }
}
