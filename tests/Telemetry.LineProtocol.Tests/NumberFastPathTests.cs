using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

/// <summary>
/// The parser's fast paths give the same answers as the general ones: integers and timestamps read eight digits at
/// a time, short decimals read with one division, delimiters found through a 64-byte block mask.
/// </summary>
public class NumberFastPathTests
{
    private static TestPoint ParseOne(string text) => Assert.Single(LineProtocolTestHelpers.ParseAll(text));

    private static LineProtocolError ErrorOf(string text) =>
        Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll(text)).Error;

    [Theory]
    [InlineData("1i", 1L)]
    [InlineData("12345678i", 12_345_678L)]
    [InlineData("123456789i", 123_456_789L)]
    [InlineData("1234567890123456i", 1_234_567_890_123_456L)]
    [InlineData("1234567890123456789i", 1_234_567_890_123_456_789L)]
    [InlineData("9223372036854775807i", long.MaxValue)]
    [InlineData("-9223372036854775808i", long.MinValue)]
    [InlineData("00000000000000000000000001i", 1L)]
    [InlineData("-00000000i", 0L)]
    [InlineData("90000000i", 90_000_000L)]
    public void Integer_EightDigitSteps_ExactValue(string text, long expected)
    {
        Assert.Equal(expected, ParseOne($"m v={text}").Fields[0].Value);
    }

    [Theory]
    [InlineData("9223372036854775808i")]
    [InlineData("9999999999999999999i")]
    [InlineData("-9223372036854775809i")]
    [InlineData("18446744073709551616i")]
    public void Integer_OutOfRange_Refused(string text)
    {
        Assert.Equal(LineProtocolError.ValueOutOfRange, ErrorOf($"m v={text}"));
    }

    [Theory]
    [InlineData("1234567/i")]
    [InlineData("123456:8i")]
    [InlineData("0/345678i")]
    [InlineData("12345678901234*6i")]
    [InlineData("1234567890123456789xi")]
    [InlineData("1234\u00e967i")]
    public void Integer_NonDigitInsideAnEightDigitStep_Refused(string text)
    {
        Assert.Equal(LineProtocolError.InvalidNumber, ErrorOf($"m v={text}"));
    }

    [Theory]
    [InlineData("1700000000000000000", 1_700_000_000_000_000_000L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-1700000000000000000", -1_700_000_000_000_000_000L)]
    [InlineData("12345678", 12_345_678L)]
    public void Timestamp_EightDigitSteps_ExactValue(string text, long expected)
    {
        Assert.Equal(expected, ParseOne($"m v=1 {text}").TimestampNs);
    }

    [Theory]
    [InlineData("170000000000000000/")]
    [InlineData("17000000:0000000000")]
    public void Timestamp_NonDigit_Refused(string text)
    {
        Assert.Equal(LineProtocolError.BadTimestamp, ErrorOf($"m v=1 {text}"));
    }

    [Theory]
    [InlineData("0.64")]
    [InlineData("1500.125")]
    [InlineData("-1500.125")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("-.5")]
    [InlineData("123456789012345")]
    [InlineData("12345678.9012345")]
    [InlineData("0.000000000000001")]
    [InlineData("1234567890123456")]
    [InlineData("0.1234567890123456")]
    [InlineData("99999999999999999")]
    [InlineData("0.30000000000000004")]
    public void Float_ShortAndLongDecimals_SameAsRoundTripParse(string text)
    {
        var expected = double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var value = (double)ParseOne($"m v={text}").Fields[0].Value;
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Fact]
    public void Float_NegativeZeroShortForm_KeepsSign()
    {
        Assert.True(double.IsNegative((double)ParseOne("m v=-0.0").Fields[0].Value));
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("-.")]
    [InlineData("1-2")]
    [InlineData("--1")]
    public void Float_MalformedShortForms_Refused(string text)
    {
        Assert.Equal(LineProtocolError.InvalidNumber, ErrorOf($"m v={text}"));
    }

    [Fact]
    public void Float_RandomShortDecimals_SameAsRoundTripParse()
    {
        var random = new Random(20261202);
        for (var n = 0; n < 20_000; n++)
        {
            var intDigits = random.Next(0, 9);
            var fracDigits = random.Next(0, 9);
            var text = (random.Next(2) == 0 ? "-" : "") + Digits(random, intDigits) + (fracDigits > 0 || intDigits == 0 ? "." + Digits(random, Math.Max(fracDigits, 1)) : "");
            var expected = double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            var value = (double)ParseOne($"m v={text}").Fields[0].Value;
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(value), text);
        }
    }

    [Fact]
    public void TryReadLine_ManyLinesAcrossBlockBoundaries_SameTokens()
    {
        // Lines of every length from 20 to 150 bytes, back to back, so tokens start and end at every offset of the
        // 64-byte delimiter block and blocks span line ends.
        var text = new System.Text.StringBuilder();
        for (var n = 0; n < 130; n++)
        {
            text.Append(new string('m', 1 + (n % 50))).Append(",k=").Append(new string('v', 1 + (n / 3))).Append(" f=").Append(n).Append("i ").Append(1000 + n).Append('\n');
        }

        var points = LineProtocolTestHelpers.ParseAll(text.ToString());
        Assert.Equal(130, points.Count);
        for (var n = 0; n < 130; n++)
        {
            Assert.Equal(new string('m', 1 + (n % 50)), points[n].Measurement);
            Assert.Equal(new string('v', 1 + (n / 3)), points[n].Tags[0].Value);
            Assert.Equal((long)n, points[n].Fields[0].Value);
            Assert.Equal(1000L + n, points[n].TimestampNs);
        }
    }

    private static string Digits(Random random, int count)
    {
        var chars = new char[count];
        for (var i = 0; i < count; i++)
        {
            chars[i] = (char)('0' + random.Next(10));
        }

        return new string(chars);
    }
}
