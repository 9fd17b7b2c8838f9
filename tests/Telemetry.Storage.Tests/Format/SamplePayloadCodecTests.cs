using System.Buffers;
using Telemetry.Core;
using Telemetry.Storage.Format;

namespace Telemetry.Storage.Tests.Format;

public class SamplePayloadCodecTests
{
    private static readonly AssetPath Short = new("s", "a", "l", "m", "t");

    [Fact]
    public void Encode_FourKinds_GoldenBytes()
    {
        using var batch = new SampleBatch();
        batch.Add(new Sample(Short, 1000, SampleValue.FromDouble(1.0), Quality.Good, 1500));
        batch.Add(new Sample(Short, 1002, SampleValue.FromInt64(-3), Quality.Uncertain, 1501));
        batch.Add(new Sample(Short, 1002, SampleValue.FromString("hi"), Quality.Good, 1501));
        batch.Add(new Sample(Short, 1002, SampleValue.FromBoolean(true), Quality.Good, 1501));

        var writer = new ArrayBufferWriter<byte>();
        new SamplePayloadEncoder().Encode(batch.Samples, writer);

        byte[] expected =
        [
            0x01, 0x04, 0x01, // version, 4 samples, 1 series
            0x01, (byte)'s', 0x01, (byte)'a', 0x01, (byte)'l', 0x01, (byte)'m', 0x01, (byte)'t',
            0x00, 0x01, 0xD0, 0x0F, 0xB8, 0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F, // double 1.0, Δ1000, Δ1500
            0x00, 0x2A, 0x04, 0x02, 0x80, 0x80, 0x80, 0x80, 0x04, 0x05, // int64 -3, uncertain + status 0x40000000
            0x00, 0x04, 0x00, 0x00, 0x02, (byte)'h', (byte)'i', // string
            0x00, 0x43, 0x00, 0x00, // boolean true
        ];
        Assert.Equal(expected, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Decode_GoldenBytes_RestoresSamples()
    {
        using var batch = new SampleBatch();
        batch.Add(new Sample(Short, 1000, SampleValue.FromDouble(1.0), Quality.Good, 1500));
        batch.Add(new Sample(Short, 1002, SampleValue.FromInt64(-3), Quality.Uncertain, 1501));
        var writer = new ArrayBufferWriter<byte>();
        new SamplePayloadEncoder().Encode(batch.Samples, writer);

        using var decoded = new SampleBatch();
        Assert.Equal(2, new SamplePayloadDecoder().Decode(writer.WrittenSpan, decoded));
        Assert.Equal(batch.Samples.ToArray(), decoded.Samples.ToArray());
        Assert.Equal(1500, SamplePayloadDecoder.ReadFirstReceiveTime(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Decode_SeededRandomBatch_RoundTrips(int seed)
    {
        var random = new Random(seed);
        var paths = Enumerable.Range(0, 20).Select(i => new AssetPath("site", i % 3 == 0 ? "" : "area", "line", $"machine{i % 4}", $"tag-ü{i}")).ToArray();
        using var batch = new SampleBatch();
        for (var i = 0; i < 500; i++)
        {
            var value = random.Next(5) switch
            {
                0 => SampleValue.Null,
                1 => SampleValue.FromDouble((random.NextDouble() - 0.5) * 1e9),
                2 => SampleValue.FromInt64(random.NextInt64(long.MinValue, long.MaxValue)),
                3 => SampleValue.FromBoolean(random.Next(2) == 0),
                _ => SampleValue.FromString(new string('x', random.Next(0, 40)) + "€"),
            };
            var quality = random.Next(3) switch
            {
                0 => Quality.Good,
                1 => Quality.FromOpcUaStatus((uint)random.NextInt64(0, uint.MaxValue)),
                _ => Quality.BadNoCommunication,
            };
            batch.Add(new Sample(paths[random.Next(paths.Length)], random.NextInt64(long.MinValue / 2, long.MaxValue / 2), value, quality, random.NextInt64()));
        }

        var writer = new ArrayBufferWriter<byte>();
        var encoder = new SamplePayloadEncoder();
        encoder.Encode(batch.Samples, writer);
        using var decoded = new SampleBatch();
        var decoder = new SamplePayloadDecoder();
        decoder.Decode(writer.WrittenSpan, decoded);

        Assert.Equal(batch.Samples.ToArray(), decoded.Samples.ToArray());
    }

    [Fact]
    public void Decode_InternedPaths_ReturnsSameInstanceAcrossRecords()
    {
        using var batch = TestSamples.Numbered(0, 3);
        var writer = new ArrayBufferWriter<byte>();
        new SamplePayloadEncoder().Encode(batch.Samples, writer);
        var decoder = new SamplePayloadDecoder();
        using var a = new SampleBatch();
        using var b = new SampleBatch();
        decoder.Decode(writer.WrittenSpan, a);
        decoder.Decode(writer.WrittenSpan, b);

        Assert.Same(a[0].Path, b[2].Path);
    }

    [Fact]
    public void Decode_SeededRandomBytes_ThrowsOnlySpoolException()
    {
        var random = new Random(7);
        using var valid = TestSamples.Numbered(0, 10);
        var writer = new ArrayBufferWriter<byte>();
        new SamplePayloadEncoder().Encode(valid.Samples, writer);
        var decoder = new SamplePayloadDecoder();
        using var batch = new SampleBatch();
        for (var i = 0; i < 5000; i++)
        {
            var bytes = writer.WrittenSpan.ToArray();
            if (i % 2 == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }

            for (var k = random.Next(1, 4); k > 0 && bytes.Length > 0; k--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            batch.Clear();
            try
            {
                decoder.Decode(bytes, batch);
            }
            catch (SpoolException ex)
            {
                Assert.Equal(SpoolError.Corrupt, ex.Error);
            }
        }
    }

    [Fact]
    public void Encode_TypicalPlcBatch_FewBytesPerSample()
    {
        // 100 tags of one machine polled every 100 ms, ten polls per batch, doubles
        using var batch = new SampleBatch(1000);
        var paths = Enumerable.Range(0, 100).Select(i => new AssetPath("plant", "press-shop", "line1", "press7", $"tag{i}")).ToArray();
        for (var poll = 0; poll < 10; poll++)
        {
            foreach (var path in paths)
            {
                var t = TestSamples.BaseTimeNs + (poll * 100_000_000L);
                batch.Add(new Sample(path, t, SampleValue.FromDouble(poll * 0.5), Quality.Good, t + 1_200_000));
            }
        }

        var writer = new ArrayBufferWriter<byte>();
        new SamplePayloadEncoder().Encode(batch.Samples, writer);
        var bytesPerSample = (double)(writer.WrittenCount + RecordCodec.HeaderSize) / batch.Count;

        Assert.InRange(bytesPerSample, 10, 16);
    }
}
