using System.Text.Json;
using Telemetry.Core;
using Telemetry.Edge.Hosting;
using Telemetry.Storage;

namespace Telemetry.Edge.Tests.Hosting;

public sealed class SpoolDropsJsonTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 13, 1, 20, 900, TimeSpan.Zero);

    [Fact]
    public void Write_PartlyAcknowledgedSegment_GivesItsUndeliveredRecordsSamplesAndSourceTimeSpan()
    {
        var press = new DroppedTagRange(new AssetPath("s", "a", "l", "press", "pressure"), 7, Ns(Start), Ns(Start.AddMilliseconds(600)));
        var oven = new DroppedTagRange(new AssetPath("s", "a", "l", "oven", "temp"), 6, Ns(Start.AddMilliseconds(100)), Ns(Start.AddMilliseconds(700)));
        var drop = new SpoolDropReport("00000000000000002671.seg", 2671, 2691, 13, 13, [press, oven]);

        var json = Write([drop]);

        var written = Assert.Single(json.EnumerateArray());
        Assert.Equal("00000000000000002671.seg", written.GetProperty("segment").GetString());
        Assert.Equal(2671, written.GetProperty("firstSequence").GetInt64());
        Assert.Equal(2691, written.GetProperty("lastSequence").GetInt64());
        Assert.Equal(13, written.GetProperty("droppedRecords").GetInt64());
        Assert.Equal(13, written.GetProperty("samples").GetInt64());
        Assert.Equal(2, written.GetProperty("tags").GetInt32());
        Assert.Equal(Start, written.GetProperty("firstSourceTime").GetDateTimeOffset());
        Assert.Equal(Start.AddMilliseconds(700), written.GetProperty("lastSourceTime").GetDateTimeOffset());
    }

    [Fact]
    public void Write_UnreadableSegment_LeavesOutTheSourceTimes()
    {
        var json = Write([new SpoolDropReport("00000000000000000001.seg", 1, 9, 9, 0, [])]);

        var written = Assert.Single(json.EnumerateArray());
        Assert.False(written.TryGetProperty("firstSourceTime", out _));
        Assert.False(written.TryGetProperty("lastSourceTime", out _));
    }

    private static long Ns(DateTimeOffset t) => t.ToUnixTimeMilliseconds() * 1_000_000;

    private static JsonElement Write(IReadOnlyList<SpoolDropReport> drops)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            SpoolDropsJson.Write(w, drops);
            w.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(stream.ToArray());
        return doc.RootElement.GetProperty("recentDrops").Clone();
    }
}
