using System.Buffers;
using System.Text;
using Telemetry.Core;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

public class SampleLineTests
{
    private const long T = 1_700_000_000_123_456_789;

    private static string Encode(params Sample[] samples)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new SampleLineEncoder().Write(new LineProtocolWriter(buffer), samples);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Sample S(AssetPath path, SampleValue value, Quality quality = default) => new(path, T, value, quality, T + 5);

    [Fact]
    public void Write_DoubleGood_GoldenLine()
    {
        var path = new AssetPath("plant 1", "press shop", "L1", "P,1", "spindle speed");
        Assert.Equal(
            "machine,area=press\\ shop,line=L1,machine=P\\,1,site=plant\\ 1 spindle\\ speed=1500.25 1700000000123456789\n",
            Encode(S(path, SampleValue.FromDouble(1500.25))));
    }

    [Fact]
    public void Write_EmptyAreaAndLine_TagsLeftOut()
    {
        var path = new AssetPath("s", "", "", "m", "t");
        Assert.Equal("machine,machine=m,site=s t=1i 1700000000123456789\n", Encode(S(path, SampleValue.FromInt64(1))));
    }

    [Fact]
    public void Write_EveryValueKind_GoldenLines()
    {
        var path = new AssetPath("s", "a", "l", "m", "t");
        Assert.Equal(
            "machine,area=a,line=l,machine=m,site=s t=-7i 1700000000123456789\n" +
            "machine,area=a,line=l,machine=m,site=s t=true 1700000000123456789\n" +
            "machine,area=a,line=l,machine=m,site=s t=\"say \\\"hi\\\"\" 1700000000123456789\n" +
            "machine,area=a,line=l,machine=m,site=s t_quality=0i 1700000000123456789\n" +
            "machine,area=a,line=l,machine=m,site=s t=2.5,t_quality=2150694912i 1700000000123456789\n" +
            "machine,area=a,line=l,machine=m,site=s t_quality=2147483648i 1700000000123456789\n" +
            "machine,area=a,line=l,machine=m,site=s t=1,t_quality=1073741824i 1700000000123456789\n",
            Encode(
                S(path, SampleValue.FromInt64(-7)),
                S(path, SampleValue.FromBoolean(true)),
                S(path, SampleValue.FromString("say \"hi\"")),
                S(path, SampleValue.Null),
                S(path, SampleValue.FromDouble(2.5), Quality.BadNoCommunication),
                S(path, SampleValue.Null, new Quality(QualityLevel.Bad, 0)),
                S(path, SampleValue.FromDouble(1), Quality.Uncertain)));
    }

    [Fact]
    public void Write_GoodWithInfoBits_KeepsTheStatusAndRoundTrips()
    {
        // OPC UA Good with InfoType DataValue + Overflow (0x480): the server's queue for this item overflowed.
        var path = new AssetPath("s", "a", "l", "m", "t");
        var line = Encode(S(path, SampleValue.FromDouble(2.5), Quality.FromOpcUaStatus(0x480)));
        Assert.Equal("machine,area=a,line=l,machine=m,site=s t=2.5,t_quality=1152i 1700000000123456789\n", line);
        Assert.Equal("machine,area=a,line=l,machine=m,site=s t=2.5 1700000000123456789\n", Encode(S(path, SampleValue.FromDouble(2.5), Quality.Good)));
    }

    [Fact]
    public void Write_TagWithReservedSuffix_Throws()
    {
        var path = new AssetPath("s", "", "", "m", "x_quality");
        var ex = Assert.Throws<LineProtocolException>(() => Encode(S(path, SampleValue.FromInt64(1))));
        Assert.Equal(LineProtocolError.SchemaMismatch, ex.Error);
    }

    [Fact]
    public void TryDecode_EncodedSamples_SameSamples()
    {
        var data = new HostileData(seed: 99);
        var samples = new List<Sample>();
        for (var i = 0; i < 5000; i++)
        {
            var path = new AssetPath(data.Name(), i % 3 == 0 ? "" : data.Name(), i % 5 == 0 ? "" : data.Name(), data.Name(), "t" + data.Name());
            var value = (i % 5) switch
            {
                0 => SampleValue.FromDouble(data.Double()),
                1 => SampleValue.FromInt64(data.Int64()),
                2 => SampleValue.FromBoolean(i % 2 == 0),
                3 => SampleValue.FromString(data.StringValue()),
                _ => SampleValue.Null,
            };
            var quality = (i % 7) switch
            {
                0 => Quality.Bad,
                1 => Quality.FromOpcUaStatus(0x408F0000),
                2 => Quality.BadNoCommunication,
                3 => Quality.FromOpcUaStatus(0x480),
                _ => Quality.Good,
            };
            samples.Add(new Sample(path, data.Random.NextInt64(-1_000_000_000_000_000_000, 4_000_000_000_000_000_000), value, quality, 42));
        }

        var bytes = Encoding.UTF8.GetBytes(Encode([.. samples]));
        var decoder = new SampleLineDecoder();
        var reader = new LineProtocolParser().CreateReader(bytes);
        var index = 0;
        while (reader.TryReadLine(out var line))
        {
            Assert.True(decoder.TryDecode(line, receiveTimeNs: 42, defaultTimeNs: 0, out var sample));
            Assert.Equal(samples[index], sample);
            index++;
        }

        Assert.Equal(samples.Count, index);
    }

    [Fact]
    public void TryDecode_OtherMeasurement_False()
    {
        var reader = new LineProtocolParser().CreateReader("cpu,site=s,machine=m v=1"u8);
        Assert.True(reader.TryReadLine(out var line));
        Assert.False(new SampleLineDecoder().TryDecode(line, 0, 0, out _));
    }

    [Theory]
    [InlineData("machine,site=s v=1", "tags 'site' and 'machine'")]
    [InlineData("machine,site=s,machine=m a=1,b=2", "value 'X' and its quality")]
    [InlineData("machine,site=s,machine=m a=1,a_quality=1,c=3", "one value field")]
    [InlineData("machine,site=s,machine=m a=1,a_quality=1.5", "integer status code")]
    [InlineData("machine,site=s,machine=m a_quality=-1i", "integer status code")]
    public void TryDecode_SchemaViolation_ThrowsSchemaMismatch(string text, string reason)
    {
        var reader = new LineProtocolParser().CreateReader(Encoding.UTF8.GetBytes("\n" + text));
        Assert.True(reader.TryReadLine(out var line));
        LineProtocolException? caught = null;
        try
        {
            new SampleLineDecoder().TryDecode(line, 0, 0, out _);
        }
        catch (LineProtocolException ex)
        {
            caught = ex;
        }

        Assert.NotNull(caught);
        Assert.Equal(LineProtocolError.SchemaMismatch, caught.Error);
        Assert.Equal(2, caught.Line);
        Assert.Contains(reason, caught.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_NoTimestampAndUnsigned_DefaultTimeAndInt64()
    {
        var reader = new LineProtocolParser().CreateReader("machine,machine=m,site=s,extra=x t=5u"u8);
        Assert.True(reader.TryReadLine(out var line));
        Assert.True(new SampleLineDecoder().TryDecode(line, 1, 77, out var sample));
        Assert.Equal(new Sample(new AssetPath("s", "", "", "m", "t"), 77, SampleValue.FromInt64(5), Quality.Good, 1), sample);
    }

    [Fact]
    public void TryDecode_KnownSeries_ReusesAssetPath()
    {
        var bytes = "machine,machine=m,site=s t=1 1\nmachine,machine=m,site=s t=2 2\n"u8.ToArray();
        var decoder = new SampleLineDecoder();
        var reader = new LineProtocolParser().CreateReader(bytes);
        Assert.True(reader.TryReadLine(out var first));
        Assert.True(decoder.TryDecode(first, 0, 0, out var a));
        Assert.True(reader.TryReadLine(out var second));
        Assert.True(decoder.TryDecode(second, 0, 0, out var b));
        Assert.Same(a.Path, b.Path);
    }

    [Fact]
    public void TryDecode_KnownNumericSeries_AllocatesNothing()
    {
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i =>
            $"machine,area=a\\ b,line=l,machine=m{i % 5},site=s t\\ x={i}.5,t\\ x_quality=1083113472i {i}\n")));
        var decoder = new SampleLineDecoder();
        var parser = new LineProtocolParser();
        var sum = 0.0;
        void Decode()
        {
            var reader = parser.CreateReader(bytes);
            while (reader.TryReadLine(out var line))
            {
                decoder.TryDecode(line, 0, 0, out var sample);
                sum += sample.Value.AsDouble();
            }
        }

        Assert.Equal(0, Allocations.SteadyState(Decode));
        Assert.True(sum > 0);
    }
}
