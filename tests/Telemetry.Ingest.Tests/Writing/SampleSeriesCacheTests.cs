using System.Globalization;
using System.Text;
using Telemetry.Core;
using Telemetry.Ingest.Writing;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Tests.Writing;

public sealed class SampleSeriesCacheTests
{
    private const long Receive = 42;
    private const long Default = 77;

    [Fact]
    public void TryDecode_KnownSeries_SameSamplesAsDecoder()
    {
        var body = "machine,site=s,area=a,line=l,machine=m1 t=1.5 1000\nmachine,site=s,area=a,line=l,machine=m1 c=7i 1001\n" +
                   "machine,site=s,machine=m2 on=true\nmachine,site=s,machine=m\\ 3 t\\ x=2 5\n";

        // First pass learns the series, the second and third hit them; every pass must equal the decoder.
        var cache = new SampleSeriesCache();
        for (var pass = 0; pass < 3; pass++)
        {
            AssertSameAsDecoder(cache, body + body.Replace("1.5", pass.ToString(CultureInfo.InvariantCulture) + ".25", StringComparison.Ordinal));
        }

        Assert.Equal(4, cache.Count);
    }

    [Fact]
    public void TryDecode_TwoWorkersOneSeries_SameAssetPathInstance()
    {
        var cache = new SampleSeriesCache();
        var first = DecodeOne(cache, new SampleLineDecoder(), "machine,site=s,machine=m t=1 1");
        var second = DecodeOne(cache, new SampleLineDecoder(), "machine,site=s,machine=m t=2 2");

        Assert.Same(first.Path, second.Path);
        Assert.Equal(SampleValue.FromDouble(2), second.Value);
        Assert.Equal(2, second.SourceTimeNs);
    }

    [Fact]
    public void TryDecode_QualityOnlyLineTwice_NullValueBothTimes()
    {
        var cache = new SampleSeriesCache();
        var decoder = new SampleLineDecoder();
        for (var i = 0; i < 2; i++)
        {
            var sample = DecodeOne(cache, decoder, "machine,site=s,machine=m t_quality=2147483648i 1");
            Assert.Equal(SampleValueKind.Null, sample.Value.Kind);
            Assert.False(sample.Quality.IsGood);
        }

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TryDecode_KnownSeriesThenStringOrUnsigned_DecodedAsTheDecoderDoes()
    {
        AssertSameAsDecoder(new SampleSeriesCache(), "machine,site=s,machine=m t=1 1\nmachine,site=s,machine=m t=\"run\" 2\nmachine,site=s,machine=m t=9u 3\n" +
                                                     "machine,site=s,machine=m t=18446744073709551615u 4\nmachine,site=s,machine=m t=F 5\n");
    }

    [Fact]
    public void TryDecode_OtherMeasurementTwice_FalseBothTimes()
    {
        var cache = new SampleSeriesCache();
        var decoder = new SampleLineDecoder();
        for (var i = 0; i < 2; i++)
        {
            var reader = new LineProtocolParser().CreateReader("cpu,site=s,machine=m v=1 1"u8);
            Assert.True(reader.TryReadLine(out var line));
            Assert.False(cache.TryDecode(decoder, line, Receive, Default, out _));
        }
    }

    [Fact]
    public void TryDecode_SchemaMismatchTwice_ThrowsBothTimes()
    {
        var cache = new SampleSeriesCache();
        var decoder = new SampleLineDecoder();
        for (var i = 0; i < 2; i++)
        {
            var reader = new LineProtocolParser().CreateReader("machine,site=s v=1 1"u8);
            Assert.True(reader.TryReadLine(out var line));
            try
            {
                cache.TryDecode(decoder, line, Receive, Default, out _);
                Assert.Fail("a schema line without a machine tag must throw");
            }
            catch (LineProtocolException ex)
            {
                Assert.Equal(LineProtocolError.SchemaMismatch, ex.Error);
            }
        }
    }

    [Fact]
    public void TryDecode_SeededRandomLines_SameAsDecoder()
    {
        var random = new Random(7);
        string[] values = ["1.5", "-3", "7i", "-2i", "true", "f", "\"txt\"", "12u"];
        var text = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            var measurement = random.Next(10) == 0 ? "other" : "machine";
            var machine = $"m{random.Next(20)}" + (random.Next(8) == 0 ? "\\ x" : string.Empty);
            var tag = $"t{random.Next(30)}" + (random.Next(8) == 0 ? "\\,y" : string.Empty);
            text.Append(CultureInfo.InvariantCulture, $"{measurement},site=s,area=a{random.Next(2)},machine={machine} ");
            switch (random.Next(6))
            {
                case 0:
                    text.Append(CultureInfo.InvariantCulture, $"{tag}={values[random.Next(values.Length)]},{tag}_quality={random.Next(2) * 2147483648L}i");
                    break;
                case 1:
                    text.Append(CultureInfo.InvariantCulture, $"{tag}_quality=1073741824i");
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"{tag}={values[random.Next(values.Length)]}");
                    break;
            }

            text.Append(random.Next(4) == 0 ? "\n" : $" {i}\n");
        }

        var cache = new SampleSeriesCache();
        AssertSameAsDecoder(cache, text.ToString());
        AssertSameAsDecoder(cache, text.ToString());
    }

    private static Sample DecodeOne(SampleSeriesCache cache, SampleLineDecoder decoder, string text)
    {
        var reader = new LineProtocolParser().CreateReader(Encoding.UTF8.GetBytes(text));
        Assert.True(reader.TryReadLine(out var line));
        Assert.True(cache.TryDecode(decoder, line, Receive, Default, out var sample));
        return sample;
    }

    private static void AssertSameAsDecoder(SampleSeriesCache cache, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var expected = Decode(bytes, (in LineProtocolLine line, out Sample s) => new SampleLineDecoder().TryDecode(line, Receive, Default, out s));
        var worker = new SampleLineDecoder();
        var actual = Decode(bytes, (in LineProtocolLine line, out Sample s) => cache.TryDecode(worker, line, Receive, Default, out s));
        Assert.Equal(expected, actual);
    }

    private static List<string> Decode(byte[] bytes, DecodeLine decode)
    {
        var results = new List<string>();
        var reader = new LineProtocolParser().CreateReader(bytes);
        while (reader.TryReadLine(out var line))
        {
            try
            {
                results.Add(decode(line, out var sample) ? $"{sample.Path} {sample.SourceTimeNs} {sample.Value.Kind} {sample.Value} {sample.Quality} {sample.ReceiveTimeNs}" : "not a sample");
            }
            catch (LineProtocolException ex)
            {
                results.Add("refused: " + ex.Reason);
            }
        }

        return results;
    }

    private delegate bool DecodeLine(in LineProtocolLine line, out Sample sample);
}
