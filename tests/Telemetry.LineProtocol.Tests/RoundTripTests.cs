using System.Buffers;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

public class RoundTripTests
{
    [Fact]
    public void WriteThenParse_100000HostilePoints_SamePoints()
    {
        const int Total = 100_000;
        const int Batch = 2_000;
        var data = new HostileData(seed: 20261122);
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        var writer = new LineProtocolWriter(buffer);
        var parser = new LineProtocolParser();
        var expected = new List<TestPoint>(Batch);
        var compared = 0;
        for (var done = 0; done < Total; done += Batch)
        {
            expected.Clear();
            buffer.ResetWrittenCount();
            for (var i = 0; i < Batch; i++)
            {
                var point = data.Point();
                expected.Add(point);
                point.WriteTo(writer);
            }

            var actual = LineProtocolTestHelpers.ParseAll(buffer.WrittenSpan, parser);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.True(expected[i].SameAs(actual[i]), $"point {done + i}:\n expected {expected[i]}\n actual   {actual[i]}");
                compared++;
            }
        }

        Assert.Equal(Total, compared);
    }

    [Fact]
    public void WriteThenParse_EveryPrecision_TimestampRoundedDown()
    {
        var data = new HostileData(seed: 7);
        foreach (var precision in Enum.GetValues<TimestampPrecision>())
        {
            var buffer = new ArrayBufferWriter<byte>();
            var writer = new LineProtocolWriter(buffer, precision);
            var parser = new LineProtocolParser(precision: precision);
            var timestamps = new List<long>();
            for (var i = 0; i < 1000; i++)
            {
                var ns = data.Random.NextInt64(-4_000_000_000_000_000_000, 4_000_000_000_000_000_000);
                timestamps.Add(ns);
                writer.WriteMeasurement("m");
                writer.WriteIntegerField("v", i);
                writer.EndLine(ns);
            }

            var points = LineProtocolTestHelpers.ParseAll(buffer.WrittenSpan, parser);
            var unit = precision.NanosecondsPerUnit();
            for (var i = 0; i < timestamps.Count; i++)
            {
                var expected = (long)Math.Floor(timestamps[i] / (decimal)unit) * unit;
                Assert.Equal(expected, points[i].TimestampNs);
            }
        }
    }
}
