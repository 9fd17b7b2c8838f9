using System.Buffers;
using System.Globalization;
using System.Text;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

public class FloatFormatterTests
{
    private static string Written(double value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new LineProtocolWriter(buffer);
        writer.WriteMeasurement("m");
        writer.WriteFloatField("f", value);
        writer.EndLine();
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return text["m f=".Length..^1];
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-4)]
    [InlineData(9.9999e-5)]
    [InlineData(1e-5)]
    [InlineData(0.00012345678)]
    [InlineData(999999999999999.0)]
    [InlineData(999999999999999.9)]
    [InlineData(1e15)]
    [InlineData(123456789012345.6)]
    [InlineData(0.1)]
    [InlineData(0.2)]
    [InlineData(0.30000000000000004)]
    [InlineData(-1500.125)]
    [InlineData(21.5)]
    [InlineData(4.35)]
    [InlineData(1.005)]
    [InlineData(100.0)]
    public void WriteFloatField_Boundaries_SameAsRoundTripR(double value) =>
        Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), Written(value));

    [Fact]
    public void WriteFloatField_200000RandomValues_SameAsRoundTripR()
    {
        var random = new Random(31337);
        for (var i = 0; i < 200_000; i++)
        {
            double value = (i % 4) switch
            {
                0 => random.NextInt64(-10_000_000_000, 10_000_000_000) / Math.Pow(10, random.Next(0, 12)),
                1 => Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 16)), random.Next(0, 10)),
                2 => (float)(random.NextDouble() * 1000),
                _ => BitConverter.Int64BitsToDouble(random.NextInt64()),
            };
            if (!double.IsFinite(value))
            {
                continue;
            }

            Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), Written(value));
        }
    }
}
