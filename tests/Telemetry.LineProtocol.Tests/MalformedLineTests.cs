using System.Text;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

/// <summary>Each malformed input with the exact line:column (1-based, bytes) and reason the parser reports.</summary>
public class MalformedLineTests
{
    public static TheoryData<string, int, int, LineProtocolError> Cases() => new()
    {
        { ",a=b v=1", 1, 1, LineProtocolError.MissingMeasurement },
        { "   ,a=1 v=1", 1, 4, LineProtocolError.MissingMeasurement },
        { "cpu", 1, 4, LineProtocolError.MissingFields },
        { "cpu\n", 1, 4, LineProtocolError.MissingFields },
        { "cpu ", 1, 5, LineProtocolError.MissingFields },
        { "cpu   \r\n", 1, 7, LineProtocolError.MissingFields },
        { "cpu\r\n", 1, 5, LineProtocolError.MissingFields },
        { "cpu,", 1, 5, LineProtocolError.MissingTagKey },
        { "cpu,=a v=1", 1, 5, LineProtocolError.MissingTagKey },
        { "cpu, v=1", 1, 5, LineProtocolError.MissingTagKey },
        { "cpu,a v=1", 1, 6, LineProtocolError.MissingTagValue },
        { "cpu,a= v=1", 1, 7, LineProtocolError.MissingTagValue },
        { "cpu,a=,b=1 v=1", 1, 7, LineProtocolError.MissingTagValue },
        { "cpu,a=b=c v=1", 1, 8, LineProtocolError.InvalidTagFormat },
        { "cpu,a=b, v=1", 1, 9, LineProtocolError.MissingTagKey },
        { "cpu,a=b", 1, 8, LineProtocolError.MissingFields },
        { "cpu,a=1,a=2 v=1", 1, 9, LineProtocolError.DuplicateTags },
        { "cpu,b=1,a=2,b=3 v=1", 1, 13, LineProtocolError.DuplicateTags },
        { "cpu v", 1, 6, LineProtocolError.InvalidFieldFormat },
        { "cpu v w=1", 1, 6, LineProtocolError.InvalidFieldFormat },
        { "cpu v=1,w", 1, 10, LineProtocolError.InvalidFieldFormat },
        { "cpu =1", 1, 5, LineProtocolError.MissingFieldKey },
        { "cpu v=1,", 1, 9, LineProtocolError.MissingFieldKey },
        { "cpu v=1,=2", 1, 9, LineProtocolError.MissingFieldKey },
        { "cpu v=1, w=2", 1, 9, LineProtocolError.MissingFieldKey },
        { "cpu v=", 1, 7, LineProtocolError.MissingFieldValue },
        { "cpu v=,w=1", 1, 7, LineProtocolError.MissingFieldValue },
        { "cpu v= 1", 1, 7, LineProtocolError.MissingFieldValue },
        { "cpu v=1x", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=1.2.3", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=1e", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=-", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=.", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=+1", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=1.5i", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=1e3i", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=-1u", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=1i2", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=NaN", 1, 7, LineProtocolError.InvalidNumber },
        { "cpu v=9223372036854775808i", 1, 7, LineProtocolError.ValueOutOfRange },
        { "cpu v=-9223372036854775809i", 1, 7, LineProtocolError.ValueOutOfRange },
        { "cpu v=18446744073709551616u", 1, 7, LineProtocolError.ValueOutOfRange },
        { "cpu v=1e400", 1, 7, LineProtocolError.ValueOutOfRange },
        { "cpu v=tru", 1, 7, LineProtocolError.InvalidBoolean },
        { "cpu v=yes", 1, 7, LineProtocolError.InvalidBoolean },
        { "cpu v=Inf", 1, 7, LineProtocolError.InvalidBoolean },
        { "cpu v=\"abc", 1, 7, LineProtocolError.UnbalancedQuotes },
        { "cpu v=\"a\\", 1, 7, LineProtocolError.UnbalancedQuotes },
        { "cpu v=\"a\\\"", 1, 7, LineProtocolError.UnbalancedQuotes },
        { "cpu v=\"abc\"x", 1, 12, LineProtocolError.InvalidFieldFormat },
        { "cpu v=1\rx", 1, 8, LineProtocolError.InvalidFieldFormat },
        { "cpu v=1 abc", 1, 9, LineProtocolError.BadTimestamp },
        { "cpu v=1 1.5", 1, 9, LineProtocolError.BadTimestamp },
        { "cpu v=1 -", 1, 9, LineProtocolError.BadTimestamp },
        { "cpu v=1 99999999999999999999", 1, 9, LineProtocolError.BadTimestamp },
        { "cpu v=1 1 2", 1, 11, LineProtocolError.InvalidPoint },
        { "cpu v=1 1\r2", 1, 10, LineProtocolError.InvalidPoint },
        { "cpu v=1\ncpu", 2, 4, LineProtocolError.MissingFields },
        { "cpu v=1\r\nbad v=", 2, 7, LineProtocolError.MissingFieldValue },
        { "# comment\n\ncpu v=1\nbad", 4, 4, LineProtocolError.MissingFields },
        { "cpu s=\"a\nb\" 1\ncpu v=x", 3, 7, LineProtocolError.InvalidBoolean },
        { "cpu s=\"a\nb\",v=x", 2, 6, LineProtocolError.InvalidBoolean },
        { "cpu,t=a\\ b v=1 1\n  cpu,t=a v=1 1 1", 2, 17, LineProtocolError.InvalidPoint },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TryReadLine_Malformed_ThrowsWithLineAndColumn(string input, int line, int column, LineProtocolError error)
    {
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll(input));
        Assert.Equal((error, line, column), (ex.Error, ex.Line, ex.Column));
        Assert.StartsWith("unable to parse '", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(line {line}, column {column})", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<byte[], int, int> InvalidUtf8Cases() => new()
    {
        { [.. "cp"u8, 0xFF, .. "u v=1"u8], 1, 3 },
        { [.. "cpu v=\""u8, 0xC3, .. "\""u8], 1, 8 },
        { [.. "cpu,t="u8, 0xE2, 0x82, .. " v=1"u8], 1, 7 },
        { [0xFF, .. " v"u8], 1, 1 },
        { [.. "m v=1\nm,"u8, 0xED, 0xA0, 0x80, .. "=1 v=1"u8], 2, 3 },
        { [.. "m s=\"a\n"u8, 0xF8, .. "\""u8], 2, 1 },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8Cases))]
    public void TryReadLine_InvalidUtf8_ThrowsWithPosition(byte[] input, int line, int column)
    {
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll(input));
        Assert.Equal((LineProtocolError.InvalidUtf8, line, column), (ex.Error, ex.Line, ex.Column));
    }

    [Fact]
    public void TryReadLine_LineLongerThanLimit_ThrowsLineTooLong()
    {
        var parser = new LineProtocolParser(new LineProtocolLimits { MaxLineLength = 32 });
        var input = "m v=1\n" + "m s=\"" + new string('x', 40) + "\"\n";
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll(input, parser));
        Assert.Equal((LineProtocolError.LineTooLong, 2, 33), (ex.Error, ex.Line, ex.Column));
        Assert.Single(LineProtocolTestHelpers.ParseAll("m s=\"" + new string('x', 25) + "\"\n", parser));
    }

    [Fact]
    public void TryReadLine_TooManyTags_ThrowsAtExtraTag()
    {
        var parser = new LineProtocolParser(new LineProtocolLimits { MaxTags = 2 });
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll("m,a=1,b=2,c=3 v=1", parser));
        Assert.Equal((LineProtocolError.TooManyTags, 1, 11), (ex.Error, ex.Line, ex.Column));
    }

    [Fact]
    public void TryReadLine_TooManyFields_ThrowsAtExtraField()
    {
        var parser = new LineProtocolParser(new LineProtocolLimits { MaxFields = 2 });
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll("m a=1,b=2,c=3", parser));
        Assert.Equal((LineProtocolError.TooManyFields, 1, 11), (ex.Error, ex.Line, ex.Column));
    }

    [Fact]
    public void TryReadLine_NameLongerThanLimit_Throws()
    {
        var parser = new LineProtocolParser(new LineProtocolLimits { MaxNameLength = 4 });
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll("m,tag=12345 v=1", parser));
        Assert.Equal((LineProtocolError.NameTooLong, 1, 7), (ex.Error, ex.Line, ex.Column));
    }

    [Fact]
    public void TryReadLine_StringLongerThanLimit_Throws()
    {
        var parser = new LineProtocolParser(new LineProtocolLimits { MaxStringLength = 3 });
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll("m s=\"abcd\"", parser));
        Assert.Equal((LineProtocolError.StringTooLong, 1, 5), (ex.Error, ex.Line, ex.Column));
    }

    [Fact]
    public void TryReadLine_TimestampOverflowsNanoseconds_ThrowsTimeOutsideRange()
    {
        var parser = new LineProtocolParser(precision: TimestampPrecision.Seconds);
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll("m v=1 9223372037", parser));
        Assert.Equal((LineProtocolError.TimeOutsideRange, 1, 7), (ex.Error, ex.Line, ex.Column));
    }

    [Fact]
    public void Message_LooksLikeInfluxDb()
    {
        var ex = Assert.Throws<LineProtocolException>(() => LineProtocolTestHelpers.ParseAll("m v=1\ncpu v"));
        Assert.Equal("unable to parse 'cpu v': invalid field format (line 2, column 6)", ex.Message);
        Assert.Equal("invalid field format", ex.Reason);
    }

    [Fact]
    public void Cases_AtLeastForty() => Assert.True(Cases().Count + InvalidUtf8Cases().Count >= 40);
}
