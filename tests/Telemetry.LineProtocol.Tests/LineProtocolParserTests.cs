using System.Text;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

public class LineProtocolParserTests
{
    private static TestPoint ParseOne(string text) => Assert.Single(LineProtocolTestHelpers.ParseAll(text));

    [Fact]
    public void TryReadLine_EveryFieldType_TypedValues()
    {
        var point = ParseOne("m,host=a f=-1.25,i=-9223372036854775808i,u=18446744073709551615u,t=true,b=F,s=\"x\" 1700000000123456789");
        Assert.Equal("m", point.Measurement);
        Assert.Equal([new("host", "a")], point.Tags);
        Assert.Equal(LineProtocolFieldType.Float, point.Fields[0].Type);
        Assert.Equal(-1.25, point.Fields[0].Value);
        Assert.Equal(long.MinValue, point.Fields[1].Value);
        Assert.Equal(ulong.MaxValue, point.Fields[2].Value);
        Assert.Equal(true, point.Fields[3].Value);
        Assert.Equal(false, point.Fields[4].Value);
        Assert.Equal("x", point.Fields[5].Value);
        Assert.Equal(1_700_000_000_123_456_789, point.TimestampNs);
    }

    [Fact]
    public void TryReadLine_DelimitersAtEveryOffset_SameTokens()
    {
        // The reader finds delimiters through 64-byte block masks; put every token boundary, and the end of the
        // input, at every offset of that window, with and without escapes, with and without a final newline.
        for (var m = 1; m <= 70; m++)
        {
            for (var v = 1; v <= 40; v += 3)
            {
                var measurement = new string('m', m);
                var value = m % 2 == 0 ? new string('v', v) : new string('v', v / 2) + "\\ " + new string('w', v - (v / 2));
                foreach (var end in new[] { "", "\n" })
                {
                    var point = ParseOne($"{measurement},k={value} f={v}i,g=\"{new string('s', m)}\" {m}{end}");
                    Assert.Equal(measurement, point.Measurement);
                    Assert.Equal(m % 2 == 0 ? value : value.Replace("\\ ", " ", StringComparison.Ordinal), point.Tags[0].Value);
                    Assert.Equal((long)v, point.Fields[0].Value);
                    Assert.Equal(new string('s', m), point.Fields[1].Value);
                    Assert.Equal(m, point.TimestampNs);
                }
            }
        }
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("-1", -1.0)]
    [InlineData("1.", 1.0)]
    [InlineData(".5", 0.5)]
    [InlineData("-.5", -0.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData("1E+3", 1000.0)]
    [InlineData("2.5e-3", 0.0025)]
    [InlineData("0.1", 0.1)]
    [InlineData("0.30000000000000004", 0.30000000000000004)]
    [InlineData("1.7976931348623157E+308", double.MaxValue)]
    [InlineData("5E-324", double.Epsilon)]
    [InlineData("123456789012345678901234567890", 1.2345678901234568E+29)]
    [InlineData("0.000000000000000000000000000001", 1e-30)]
    [InlineData("1e-400", 0.0)]
    public void TryReadLine_FloatSyntax_ParsedExactly(string text, double expected)
    {
        var value = (double)ParseOne($"m v={text}").Fields[0].Value;
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Fact]
    public void TryReadLine_NegativeZero_KeepsSign()
    {
        var value = (double)ParseOne("m v=-0").Fields[0].Value;
        Assert.True(double.IsNegative(value));
    }

    [Theory]
    [InlineData("t", true)]
    [InlineData("T", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("f", false)]
    [InlineData("F", false)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("FALSE", false)]
    public void TryReadLine_BooleanLiterals_Accepted(string text, bool expected) =>
        Assert.Equal(expected, ParseOne($"m v={text}").Fields[0].Value);

    [Theory]
    [InlineData("m\\,x\\ y v=1", "m,x y")]
    [InlineData("m\\=x v=1", "m\\=x")]
    [InlineData("m\\\\,x v=1", "m\\,x")]
    [InlineData("m\\x v=1", "m\\x")]
    [InlineData("m\\\\\\ x v=1", "m\\\\ x")]
    public void TryReadLine_MeasurementEscapes_Unescaped(string line, string expected) =>
        Assert.Equal(expected, ParseOne(line).Measurement);

    [Fact]
    public void TryReadLine_TagAndFieldKeyEscapes_Unescaped()
    {
        var point = ParseOne("m,k\\,\\=\\ 1=v\\,\\=\\ 1,a\\b=c\\d f\\,\\=\\ 1=1i,g\\\"=\"q\\\"b\\\\s\\n\"");
        Assert.Equal("k,= 1", point.Tags[0].Key);
        Assert.Equal("v,= 1", point.Tags[0].Value);
        Assert.Equal("a\\b", point.Tags[1].Key);
        Assert.Equal("c\\d", point.Tags[1].Value);
        Assert.Equal("f,= 1", point.Fields[0].Key);
        Assert.Equal("g\"", point.Fields[1].Key);
        Assert.Equal("q\"b\\s\\n", point.Fields[1].Value);
    }

    [Fact]
    public void TryReadLine_CommentsBlankLinesAndCrLf_Skipped()
    {
        var points = LineProtocolTestHelpers.ParseAll("# header\r\n\r\n   \n\t# indented comment\nm v=1 1\r\n  m v=2 2  \r\n\nm v=3\r\n# trailing");
        Assert.Equal(3, points.Count);
        Assert.Equal(new long?[] { 1, 2, null }, points.Select(p => p.TimestampNs));
    }

    [Fact]
    public void TryReadLine_MultipleSpacesBetweenSections_Accepted()
    {
        var point = ParseOne("m,t=1   v=1    -5   ");
        Assert.Equal(-5, point.TimestampNs);
    }

    [Fact]
    public void TryReadLine_NewlineInsideString_OneLineAndLineNumbersCount()
    {
        var parser = new LineProtocolParser();
        var input = Encoding.UTF8.GetBytes("m s=\"a\nb\r\nc\" 1\nm v=2\n");
        var reader = parser.CreateReader(input);
        Assert.True(reader.TryReadLine(out var first));
        Assert.Equal("a\nb\r\nc", first.GetField(0).StringValue.ToString());
        Assert.Equal(1, first.LineNumber);
        Assert.True(reader.TryReadLine(out var second));
        Assert.Equal(4, second.LineNumber);
        Assert.False(reader.TryReadLine(out _));
    }

    [Theory]
    [InlineData(TimestampPrecision.Nanoseconds, "1700000000123456789", 1_700_000_000_123_456_789L)]
    [InlineData(TimestampPrecision.Microseconds, "1700000000123456", 1_700_000_000_123_456_000L)]
    [InlineData(TimestampPrecision.Milliseconds, "1700000000123", 1_700_000_000_123_000_000L)]
    [InlineData(TimestampPrecision.Seconds, "1700000000", 1_700_000_000_000_000_000L)]
    public void TryReadLine_Precision_ConvertsToNanoseconds(TimestampPrecision precision, string text, long expected)
    {
        var parser = new LineProtocolParser(precision: precision);
        var reader = parser.CreateReader(Encoding.UTF8.GetBytes($"m v=1 {text}"));
        Assert.True(reader.TryReadLine(out var line));
        Assert.Equal(expected, line.UnixNanoseconds);
    }

    [Fact]
    public void TryReadLine_SecondsPrecision_ConvertsToNanoseconds()
    {
        var parser = new LineProtocolParser(precision: TimestampPrecision.Seconds);
        var reader = parser.CreateReader("m v=1 -2"u8);
        Assert.True(reader.TryReadLine(out var line));
        Assert.Equal(-2, line.Timestamp);
        Assert.Equal(-2_000_000_000, line.UnixNanoseconds);
    }

    [Fact]
    public void TryReadLine_NotFinalBlock_StopsBeforeIncompleteLine()
    {
        var parser = new LineProtocolParser();
        var whole = Encoding.UTF8.GetBytes("m v=1 1\nm s=\"a\nb\" 2\nm v=3");
        for (var cut = 0; cut <= whole.Length; cut++)
        {
            var points = new List<TestPoint>();
            var reader = parser.CreateReader(whole.AsSpan(0, cut), isFinalBlock: false);
            while (reader.TryReadLine(out var line))
            {
                points.Add(TestPoint.From(line));
            }

            var consumed = reader.BytesConsumed;
            var rest = parser.CreateReader(whole.AsSpan(consumed), isFinalBlock: true, firstLineNumber: reader.LineNumber);
            while (rest.TryReadLine(out var line))
            {
                points.Add(TestPoint.From(line));
            }

            Assert.Equal(3, points.Count);
            Assert.Equal("a\nb", points[1].Fields[0].Value);
        }
    }

    [Fact]
    public void TryReadLine_DuplicateFieldKeys_KeptAsInfluxDbDoes()
    {
        var point = ParseOne("m a=1,a=2");
        Assert.Equal(2, point.Fields.Count);
    }

    [Fact]
    public void TryReadLine_UnsortedTags_KeptInWireOrder()
    {
        var point = ParseOne("m,b=1,a=2 v=1");
        Assert.Equal(["b", "a"], point.Tags.Select(t => t.Key));
    }

    [Fact]
    public void LineProtocolText_CopyToAndEqualsUtf8_Unescaped()
    {
        var reader = new LineProtocolParser().CreateReader("m\\ 1,k=v\\,w s=\"a\\\"b\""u8);
        Assert.True(reader.TryReadLine(out var line));
        Span<byte> buffer = stackalloc byte[16];
        var length = line.Measurement.CopyTo(buffer);
        Assert.Equal("m 1"u8.ToArray(), buffer[..length].ToArray());
        Assert.True(line.GetTag(0).Value.EqualsUtf8("v,w"u8));
        Assert.False(line.GetTag(0).Value.EqualsUtf8("v,"u8));
        Assert.True(line.GetField(0).StringValue.EqualsUtf8("a\"b"u8));
        Assert.Equal(0, line.IndexOfTag("k"u8));
        Assert.Equal(-1, line.IndexOfTag("x"u8));
    }

    [Fact]
    public void GetField_WrongType_ThrowsInvalidOperation()
    {
        var reader = new LineProtocolParser().CreateReader("m v=1i"u8);
        Assert.True(reader.TryReadLine(out var line));
        var field = line.GetField(0);
        Assert.Equal(1, field.IntegerValue);
        var thrown = false;
        try
        {
            _ = field.FloatValue;
        }
        catch (InvalidOperationException)
        {
            thrown = true;
        }

        Assert.True(thrown);
    }

    [Fact]
    public void TryReadLine_SteadyState_AllocatesNothing()
    {
        var batch = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 500).Select(i =>
            $"machine,area=press\\ shop,line=L{i % 7},machine=P{i % 13},site=plant temp={20 + (i * 0.25)},count={i}i,ok=true,state=\"run\" {1_700_000_000_000_000_000L + i}\n")));
        var parser = new LineProtocolParser();
        double Sum()
        {
            var sum = 0.0;
            var reader = parser.CreateReader(batch);
            while (reader.TryReadLine(out var line))
            {
                sum += line.GetField(0).FloatValue + line.GetField(1).IntegerValue + line.TagCount;
            }

            return sum;
        }

        var total = 0.0;
        Assert.Equal(0, Allocations.SteadyState(() => total = Sum()));
        Assert.True(total > 0);
    }
}
