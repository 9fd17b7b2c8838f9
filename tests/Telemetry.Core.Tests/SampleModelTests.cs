using Telemetry.Core;

namespace Telemetry.Core.Tests;

public class SampleModelTests
{
    [Theory]
    [InlineData(0x00000000u, QualityLevel.Good)]
    [InlineData(0x40000000u, QualityLevel.Uncertain)]
    [InlineData(0x408F0000u, QualityLevel.Uncertain)]
    [InlineData(0x80310000u, QualityLevel.Bad)]
    [InlineData(0xC0000000u, QualityLevel.Bad)]
    public void FromOpcUaStatus_SeverityBits_MapToLevelAndKeepRawCode(uint status, QualityLevel level)
    {
        var quality = Quality.FromOpcUaStatus(status);
        Assert.Equal(level, quality.Level);
        Assert.Equal(status, quality.SourceStatus);
    }

    [Fact]
    public void SampleValue_EachKind_RoundTripsThroughRawBits()
    {
        SampleValue[] values =
        [
            SampleValue.FromDouble(-0.0), SampleValue.FromDouble(double.MaxValue), SampleValue.FromInt64(long.MinValue),
            SampleValue.FromBoolean(true), SampleValue.FromString("zone 1 °C 🔥"), SampleValue.Null,
        ];
        foreach (var value in values)
        {
            var copy = SampleValue.FromRaw(value.Kind, value.RawBits, value.Kind == SampleValueKind.String ? value.AsString() : null);
            Assert.Equal(value, copy);
        }
    }

    [Fact]
    public void SampleValue_WrongAccessor_ThrowsWithKind()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SampleValue.FromString("x").AsDouble());
        Assert.Contains("String", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssetPath_ParseAndFormat_RoundTrip()
    {
        var path = AssetPath.Parse("plant-a/machining//cnc-01/spindle_speed");
        Assert.Equal(string.Empty, path.Line);
        Assert.Equal("plant-a/machining//cnc-01/spindle_speed", path.ToString());
        Assert.Equal("plant-a/machining//cnc-01", path.MachineKey);
        Assert.Equal(path, AssetPath.Parse(path.ToString()));
        Assert.Throws<FormatException>(() => AssetPath.Parse("a/b/c"));
        Assert.Throws<ArgumentException>(() => new AssetPath("", "a", "l", "m", "t"));
    }

    [Fact]
    public void UnixTime_DateTimeOffset_ExactAt100NanosecondResolution()
    {
        var t = new DateTimeOffset(2026, 11, 22, 18, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var ns = UnixTime.FromDateTimeOffset(t);
        Assert.Equal(t, UnixTime.ToDateTimeOffset(ns));
        Assert.Equal(0, ns % 100);
    }

    [Fact]
    public void SampleBatch_GrowsClearsAndReuses()
    {
        using var batch = new SampleBatch(capacity: 2);
        var path = new AssetPath("s", "", "", "m", "t");
        for (var i = 0; i < 1000; i++)
        {
            batch.Add(Sample.Create(path, i, SampleValue.FromInt64(i), i));
        }

        Assert.Equal(1000, batch.Count);
        Assert.Equal(999, batch[999].Value.AsInt64());
        batch.Clear();
        Assert.Equal(0, batch.Count);
        batch.AddRange([Sample.Create(path, 1, SampleValue.FromBoolean(true), 1)]);
        Assert.True(batch.Samples[0].Value.AsBoolean());
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[1]);
    }
}
