using System.Buffers;
using System.Text;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

public class LineProtocolWriterTests
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    private string Text => Encoding.UTF8.GetString(_buffer.WrittenSpan);

    private LineProtocolWriter NewWriter(TimestampPrecision precision = TimestampPrecision.Nanoseconds) => new(_buffer, precision);

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("c,pu", "c\\,pu")]
    [InlineData("c pu", "c\\ pu")]
    [InlineData("c=pu", "c=pu")]
    [InlineData("c\"pu", "c\"pu")]
    [InlineData("c\\pu", "c\\pu")]
    [InlineData("c\\=pu", "c\\=pu")]
    [InlineData(" cpu", "\\ cpu")]
    [InlineData("日本🚀", "日本🚀")]
    public void WriteMeasurement_EscapesCommaAndSpaceOnly(string measurement, string expected)
    {
        var writer = NewWriter();
        writer.WriteMeasurement(measurement);
        writer.WriteBooleanField("v", true);
        writer.EndLine();
        Assert.Equal(expected + " v=true\n", Text);
    }

    [Theory]
    [InlineData("k", "v", "k=v")]
    [InlineData("k,1", "v,1", "k\\,1=v\\,1")]
    [InlineData("k=1", "v=1", "k\\=1=v\\=1")]
    [InlineData("k 1", "v 1", "k\\ 1=v\\ 1")]
    [InlineData("k\"1", "v\"1", "k\"1=v\"1")]
    [InlineData("k\\1", "v\\1", "k\\1=v\\1")]
    [InlineData("ключ", "🚀", "ключ=🚀")]
    public void WriteTag_EscapesCommaEqualsAndSpace(string key, string value, string expected)
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        writer.WriteTag(key, value);
        writer.WriteIntegerField("v", 1);
        writer.EndLine();
        Assert.Equal($"m,{expected} v=1i\n", Text);
    }

    [Theory]
    [InlineData("f", "f=1i")]
    [InlineData("f,1", "f\\,1=1i")]
    [InlineData("f=1", "f\\=1=1i")]
    [InlineData("f 1", "f\\ 1=1i")]
    [InlineData("f\"", "f\"=1i")]
    public void WriteIntegerField_EscapesFieldKey(string key, string expected)
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        writer.WriteIntegerField(key, 1);
        writer.EndLine();
        Assert.Equal($"m {expected}\n", Text);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("end\\", "\"end\\\\\"")]
    [InlineData("line1\nline2", "\"line1\nline2\"")]
    [InlineData("a,b=c d", "\"a,b=c d\"")]
    [InlineData("", "\"\"")]
    [InlineData("😀é", "\"😀é\"")]
    public void WriteStringField_EscapesQuoteAndBackslash(string value, string expected)
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        writer.WriteStringField("s", value);
        writer.EndLine();
        Assert.Equal($"m s={expected}\n", Text);
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(2.0, "2")]
    [InlineData(-0.0, "-0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1E+21")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157E+308")]
    [InlineData(5e-324, "5E-324")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    public void WriteFloatField_ShortestRoundTripForm(double value, string expected)
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        writer.WriteFloatField("f", value);
        writer.EndLine();
        Assert.Equal($"m f={expected}\n", Text);
    }

    [Fact]
    public void WriteFields_EveryType_GoldenLine()
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        writer.WriteTag("host", "a");
        writer.WriteFloatField("f", -1.25);
        writer.WriteIntegerField("i", long.MinValue);
        writer.WriteUnsignedField("u", ulong.MaxValue);
        writer.WriteBooleanField("t", true);
        writer.WriteBooleanField("b", false);
        writer.WriteStringField("s", "x");
        writer.EndLine(1_700_000_000_123_456_789);
        Assert.Equal("m,host=a f=-1.25,i=-9223372036854775808i,u=18446744073709551615u,t=true,b=false,s=\"x\" 1700000000123456789\n", Text);
        Assert.Equal(1, writer.LineCount);
    }

    [Theory]
    [InlineData(TimestampPrecision.Nanoseconds, 1_700_000_000_123_456_789L, "1700000000123456789")]
    [InlineData(TimestampPrecision.Microseconds, 1_700_000_000_123_456_789L, "1700000000123456")]
    [InlineData(TimestampPrecision.Milliseconds, 1_700_000_000_123_456_789L, "1700000000123")]
    [InlineData(TimestampPrecision.Seconds, 1_700_000_000_123_456_789L, "1700000000")]
    [InlineData(TimestampPrecision.Seconds, -1L, "-1")]
    [InlineData(TimestampPrecision.Milliseconds, -1_500_000L, "-2")]
    [InlineData(TimestampPrecision.Nanoseconds, long.MinValue, "-9223372036854775808")]
    public void EndLine_Precision_RoundsDown(TimestampPrecision precision, long ns, string expected)
    {
        var writer = NewWriter(precision);
        writer.WriteMeasurement("m");
        writer.WriteIntegerField("v", 1);
        writer.EndLine(ns);
        Assert.Equal($"m v=1i {expected}\n", Text);
    }

    [Fact]
    public void WriteTags_SortByKey_SortsInUtf8ByteOrder()
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        Span<LineProtocolTag> tags =
        [
            new("zeta", "1"), new("\uFF21", "2"), new("😀", "3"), new("Alpha", "4"), new("alpha", "5"),
        ];
        writer.WriteTags(tags);
        writer.WriteIntegerField("v", 1);
        writer.EndLine();
        Assert.Equal("m,Alpha=4,alpha=5,zeta=1,\uFF21=2,😀=3 v=1i\n", Text);
    }

    [Fact]
    public void WriteTags_DuplicateKeys_Throws()
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        var tags = new LineProtocolTag[] { new("a", "1"), new("a", "2") };
        var ex = Assert.Throws<LineProtocolException>(() => writer.WriteTags(tags));
        Assert.Equal(LineProtocolError.DuplicateTags, ex.Error);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void WriteFloatField_NotFinite_Throws(double value)
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        var ex = Assert.Throws<LineProtocolException>(() => writer.WriteFloatField("f", value));
        Assert.Equal(LineProtocolError.NotFinite, ex.Error);
        Assert.Contains("NaN or infinity", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", LineProtocolError.EmptyName)]
    [InlineData("a\nb", LineProtocolError.NewlineInName)]
    [InlineData("ab\\", LineProtocolError.TrailingBackslash)]
    [InlineData("a\\,b", LineProtocolError.BackslashBeforeSpecial)]
    [InlineData("a\\ b", LineProtocolError.BackslashBeforeSpecial)]
    [InlineData("a\\\\b", LineProtocolError.BackslashBeforeSpecial)]
    [InlineData("#comment", LineProtocolError.InvalidMeasurementStart)]
    [InlineData("\tm", LineProtocolError.InvalidMeasurementStart)]
    public void WriteMeasurement_Unwritable_Throws(string measurement, LineProtocolError error)
    {
        var writer = NewWriter();
        var ex = Assert.Throws<LineProtocolException>(() => writer.WriteMeasurement(measurement));
        Assert.Equal(error, ex.Error);
    }

    [Theory]
    [InlineData("", "v", LineProtocolError.EmptyName)]
    [InlineData("k", "", LineProtocolError.EmptyName)]
    [InlineData("k\n", "v", LineProtocolError.NewlineInName)]
    [InlineData("k", "v\n", LineProtocolError.NewlineInName)]
    [InlineData("k", "v\\", LineProtocolError.TrailingBackslash)]
    [InlineData("k\\=", "v", LineProtocolError.BackslashBeforeSpecial)]
    [InlineData("k\\\"", "v", LineProtocolError.BackslashBeforeSpecial)]
    [InlineData("k", "a\\=b", LineProtocolError.BackslashBeforeSpecial)]
    [InlineData("k", "a\\\\,b", LineProtocolError.BackslashBeforeSpecial)]
    public void WriteTag_Unwritable_Throws(string key, string value, LineProtocolError error)
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        var ex = Assert.Throws<LineProtocolException>(() => writer.WriteTag(key, value));
        Assert.Equal(error, ex.Error);
    }

    // Lone surrogates are built in code: xUnit's theory data would turn them into U+FFFD.
    [Fact]
    public void WriteMeasurementAndTag_LoneSurrogate_Throws()
    {
        var writer = NewWriter();
        Assert.Equal(LineProtocolError.InvalidUtf16, Assert.Throws<LineProtocolException>(() => writer.WriteMeasurement("a" + (char)0xD800 + "b")).Error);
        writer.WriteMeasurement("m");
        Assert.Equal(LineProtocolError.InvalidUtf16, Assert.Throws<LineProtocolException>(() => writer.WriteTag("k", ((char)0xDC00).ToString())).Error);
    }

    [Fact]
    public void WriteStringField_LoneSurrogate_Throws()
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        var ex = Assert.Throws<LineProtocolException>(() => writer.WriteStringField("s", "a" + (char)0xD83D));
        Assert.Equal(LineProtocolError.InvalidUtf16, ex.Error);
    }

    [Fact]
    public void WriteFieldKey_Newline_Throws()
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        var ex = Assert.Throws<LineProtocolException>(() => writer.WriteBooleanField("a\nb", true));
        Assert.Equal(LineProtocolError.NewlineInName, ex.Error);
    }

    [Fact]
    public void EndLine_NoField_ThrowsInvalidOperation()
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        Assert.Throws<InvalidOperationException>(() => writer.EndLine());
    }

    [Fact]
    public void WriteTag_AfterField_ThrowsInvalidOperation()
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        writer.WriteBooleanField("b", true);
        Assert.Throws<InvalidOperationException>(() => writer.WriteTag("k", "v"));
    }

    [Fact]
    public void WriteMeasurement_MidLine_ThrowsInvalidOperation()
    {
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        Assert.Throws<InvalidOperationException>(() => writer.WriteMeasurement("n"));
    }

    [Fact]
    public void WriteStringField_64KiB_WrittenWhole()
    {
        var value = new string('x', 65_536) + "\"\\";
        var writer = NewWriter();
        writer.WriteMeasurement("m");
        writer.WriteStringField("s", value);
        writer.EndLine();
        var parsed = LineProtocolTestHelpers.ParseAll(_buffer.WrittenSpan);
        Assert.Equal(value, (string)Assert.Single(parsed).Fields[0].Value);
    }

    [Fact]
    public void Write_ManyLines_AllocatesNothing()
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        var writer = new LineProtocolWriter(buffer);
        void WriteLines()
        {
            for (var i = 0; i < 1000; i++)
            {
                writer.WriteMeasurement("machine");
                writer.WriteTag("site", "plant 1");
                writer.WriteFloatField("temp", 21.5 + i);
                writer.WriteIntegerField("count", i);
                writer.WriteStringField("state", "running");
                writer.EndLine(1_700_000_000_000_000_000 + i);
            }
        }

        Assert.Equal(0, Allocations.SteadyState(() =>
        {
            buffer.ResetWrittenCount();
            WriteLines();
        }));
    }
}
