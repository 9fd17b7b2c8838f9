using System.Globalization;
using System.Text;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

/// <summary>
/// The reader's simple-line path (plain ASCII lines of up to 128 bytes, read from delimiter masks) gives exactly
/// what the general path gives: the same lines, views, line numbers and positions, or the same error at the same
/// line and column. Seeded inputs built around plain lines, with every kind of near-miss the simple path must
/// hand over (doubled or trailing spaces, empty tokens, '=' where it does not belong, escapes, strings, CR,
/// non-ASCII, numbers out of range, duplicate tags, tight limits, lines across the 64- and 128-byte blocks).
/// </summary>
public class SimpleLinePathTests
{
    private static readonly string[] Pieces =
    [
        "cpu", "machine", "m", "host", "server01", "area", "press", "line", "L1", "site", "plant-1", "a", "b",
        "value", "spindle_speed", "temp_quality", "x",
        "0.64", "1500.125", "-3.5", "1e3", "12i", "-7i", "42u", "true", "F", "FALSE", "t", "9223372036854775807i",
        "9223372036854775808i", "1.7976931348623157e309", ".5", "5.", "NaN", "+1", "0",
        "1700000000000000000", "-1", "99999999999999999999",
    ];

    private static readonly string[] Spice = [" ", "  ", ",", "=", "\\ ", "\\,", "\"s\"", "\r", "é", "\t", "#", "\n", ""];

    public static TheoryData<int> Seeds() => new() { 1, 2, 3, 4, 5, 6, 7, 8 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SimpleAndGeneralPath_SeededPlainLinesAndNearMisses_SameResult(int seed)
    {
        var random = new Random(seed);
        var limits = new[]
        {
            LineProtocolLimits.Default,
            new LineProtocolLimits { MaxLineLength = 70, MaxTags = 2, MaxFields = 2, MaxNameLength = 6, MaxStringLength = 5 },
        };
        var simpleTaken = 0;
        for (var n = 0; n < 2_500; n++)
        {
            var input = Encoding.UTF8.GetBytes(MakeInput(random));
            var limit = limits[random.Next(limits.Length)];
            var precision = random.Next(4) == 0 ? TimestampPrecision.Seconds : TimestampPrecision.Nanoseconds;
            var cut = random.Next(3) == 0 ? random.Next(input.Length + 1) : -1;
            var general = Describe(new LineProtocolParser(limit, precision) { SimpleLinePath = false }, input, cut);
            var simple = Describe(new LineProtocolParser(limit, precision) { SimpleLinePauseAfterMiss = n % 4 == 0 ? 8 : 0 }, input, cut);
            Assert.True(general == simple, $"seed {seed} input {n} cut {cut}: {Encoding.UTF8.GetString(input)}\n--- general\n{general}\n--- simple\n{simple}");
            simpleTaken += input.Length >= 64 ? 1 : 0;
        }

        Assert.True(simpleTaken > 1_000, $"only {simpleTaken} inputs long enough for the simple path");
    }

    [Theory]
    [InlineData("m,a=b=c=1 1")]
    [InlineData("m=x,a=b f=1")]
    [InlineData("m,a=b  f=1")]
    [InlineData("m,a=b f=1  1")]
    [InlineData("m,a=b f=1 1 ")]
    [InlineData("m,a=b f=1 ")]
    [InlineData("m,=b f=1")]
    [InlineData("m,a= f=1")]
    [InlineData("m,a f=1")]
    [InlineData(",a=b f=1")]
    [InlineData("m, f=1")]
    [InlineData("m,a=b,a=c f=1")]
    [InlineData("m,b=1,a=2 f=1")]
    [InlineData("m f=")]
    [InlineData("m f=,g=1")]
    [InlineData("m =1")]
    [InlineData("m f=1,")]
    [InlineData("m f=1,=2")]
    [InlineData("m f=1=2")]
    [InlineData("m f=1,g")]
    [InlineData("m f=a")]
    [InlineData("m f=tru")]
    [InlineData("m f=1.2.3")]
    [InlineData("m f=99999999999999999999i")]
    [InlineData("m f=1 abc")]
    [InlineData("m f=1 99999999999999999999")]
    [InlineData("m f=1 -")]
    [InlineData("m f=1 1\r")]
    [InlineData("m f=\"s\"")]
    [InlineData("m\\ x f=1")]
    [InlineData("m f=1 9223372036854775807")]
    [InlineData("m")]
    [InlineData("m ")]
    [InlineData("m,a=b")]
    [InlineData("m,a=b ")]
    [InlineData("m f=1 1")]
    public void SimpleAndGeneralPath_NearMiss_SameResult(string near)
    {
        var filler = "filler,host=server01 value=0.64,count=12i,ok=true 1700000000000000000\n";
        foreach (var before in new[] { "", "m,h=x v=1 1\n", new string('k', 40) + " v=1 2\n", new string('k', 60) + " v=1 2\n" })
        {
            foreach (var precision in new[] { TimestampPrecision.Nanoseconds, TimestampPrecision.Seconds })
            {
                var input = Encoding.UTF8.GetBytes(before + near + "\n" + filler + filler);
                var general = Describe(new LineProtocolParser(precision: precision) { SimpleLinePath = false }, input, -1);
                var simple = Describe(new LineProtocolParser(precision: precision) { SimpleLinePauseAfterMiss = 0 }, input, -1);
                Assert.True(general == simple, $"{near} after [{before}]:\n--- general\n{general}\n--- simple\n{simple}");
            }
        }
    }

    [Fact]
    public void SimpleLinePath_EdgeSchemaBatch_TakenAndExact()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"machine,line=L{i % 3},machine=press-{i % 7:D2},site=plant-1 spindle_speed={1500.125 + i},spindle_speed_quality=1083113472i {1_700_000_000_000_000_000L + i}\n");
        }

        var input = Encoding.UTF8.GetBytes(text.ToString());
        var parser = new LineProtocolParser();
        Assert.Equal(Describe(new LineProtocolParser { SimpleLinePath = false }, input, -1), Describe(parser, input, -1));
        var points = LineProtocolTestHelpers.ParseAll(input, parser);
        Assert.Equal(200, points.Count);
        Assert.Equal(1500.125 + 199, points[199].Fields[0].Value);
        Assert.Equal(1_700_000_000_000_000_199L, points[199].TimestampNs);
    }

    private static string MakeInput(Random random)
    {
        var text = new StringBuilder();
        var lines = random.Next(1, 5);
        for (var l = 0; l < lines; l++)
        {
            text.Append(Piece(random));
            for (var t = random.Next(4); t > 0; t--)
            {
                text.Append(',').Append(Piece(random)).Append('=').Append(Piece(random));
            }

            text.Append(' ');
            for (var f = random.Next(1, 4); f > 0; f--)
            {
                text.Append(Piece(random)).Append('=').Append(Value(random));
                if (f > 1)
                {
                    text.Append(',');
                }
            }

            if (random.Next(3) > 0)
            {
                text.Append(' ').Append(random.Next(4) == 0 ? Piece(random) : "1700000000123456789");
            }

            text.Append('\n');
        }

        // Near misses: a few spice strings put anywhere; sometimes none, sometimes padding to cross 64 / 128 bytes.
        for (var s = random.Next(4) == 0 ? 0 : random.Next(1, 3); s > 0; s--)
        {
            text.Insert(random.Next(text.Length + 1), Spice[random.Next(Spice.Length)]);
        }

        // ... or a delimiter put in place of one byte.
        for (var s = random.Next(3) == 0 ? random.Next(1, 4) : 0; s > 0 && text.Length > 0; s--)
        {
            text[random.Next(text.Length)] = " ,=="[random.Next(4)];
        }

        if (random.Next(4) == 0)
        {
            text.Insert(random.Next(Math.Max(1, text.Length / 2)), new string('k', random.Next(1, 90)));
        }

        if (random.Next(8) == 0 && text.Length > 0)
        {
            text.Length--; // the last line without its LF
        }

        return text.ToString();
    }

    private static string Piece(Random random) => Pieces[random.Next(17)];

    private static string Value(Random random) => Pieces[random.Next(17, Pieces.Length)];

    /// <summary>Everything a reader exposes for the input, read whole (cut &lt; 0) or in two blocks at the cut.</summary>
    private static string Describe(LineProtocolParser parser, byte[] input, int cut)
    {
        var text = new StringBuilder();
        try
        {
            if (cut < 0)
            {
                var reader = parser.CreateReader(input);
                Read(ref reader, text);
            }
            else
            {
                var first = parser.CreateReader(input.AsSpan(0, cut), isFinalBlock: false);
                Read(ref first, text);
                var rest = parser.CreateReader(input.AsSpan(first.BytesConsumed), isFinalBlock: true, first.LineNumber);
                Read(ref rest, text);
            }
        }
        catch (LineProtocolException ex)
        {
            text.Append(CultureInfo.InvariantCulture, $"error {ex.Error} {ex.Line}:{ex.Column} {ex.Message}");
        }

        return text.ToString();
    }

    private static void Read(ref LineProtocolReader reader, StringBuilder text)
    {
        while (reader.TryReadLine(out var line))
        {
            text.Append(CultureInfo.InvariantCulture, $"line {line.LineNumber} [{Encoding.UTF8.GetString(line.Raw)}] m={Show(line.Measurement)}");
            for (var i = 0; i < line.TagCount; i++)
            {
                var tag = line.GetTag(i);
                text.Append(CultureInfo.InvariantCulture, $" t:{Show(tag.Key)}={Show(tag.Value)}");
            }

            for (var i = 0; i < line.FieldCount; i++)
            {
                var field = line.GetField(i);
                var value = field.Type switch
                {
                    LineProtocolFieldType.Float => BitConverter.DoubleToInt64Bits(field.FloatValue).ToString(CultureInfo.InvariantCulture),
                    LineProtocolFieldType.Integer => field.IntegerValue.ToString(CultureInfo.InvariantCulture),
                    LineProtocolFieldType.Unsigned => field.UnsignedValue.ToString(CultureInfo.InvariantCulture),
                    LineProtocolFieldType.Boolean => field.BooleanValue ? "true" : "false",
                    _ => Show(field.StringValue),
                };
                text.Append(CultureInfo.InvariantCulture, $" f:{Show(field.Key)}:{field.Type}:{value}:[{Encoding.UTF8.GetString(field.RawValue)}]");
            }

            text.Append(CultureInfo.InvariantCulture, $" ts:{line.HasTimestamp}:{line.Timestamp}:{line.UnixNanoseconds} next@{reader.BytesConsumed}/{reader.LineNumber}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"end@{reader.BytesConsumed}/{reader.LineNumber}\n");
    }

    private static string Show(LineProtocolText value) => $"{(value.IsEscaped ? "E" : "")}[{Encoding.UTF8.GetString(value.Raw)}]{value.ToString()}";
}
