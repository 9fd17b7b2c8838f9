using System.Buffers;
using System.Text;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Mapping;

namespace Telemetry.Edge.Mqtt.Tests.Unit;

public sealed class MappingTests
{
    private static MqttRejectReason Map(MessageMapper mapper, string topic, string payload, SampleBatch batch) =>
        mapper.Map(topic, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload)), 1_000, batch);

    [Theory]
    [InlineData("plant/{line}/{machine}/{tag}", "plant/l1/m1/temp", true)]
    [InlineData("plant/{line}/{machine}/{tag}", "plant/l1/m1", false)]
    [InlineData("plant/{line}/{machine}/{tag}", "plant/l1/m1/temp/x", false)]
    [InlineData("plant/+/{machine}/#", "plant/l1/m1/a/b", true)]
    [InlineData("plant/+/{machine}/#", "plant/l1/m1", true)]
    [InlineData("{machine}/#", "$SYS/broker", false)]
    [InlineData("plant/{line}/{machine}/{tag}", "plant//m1/temp", false)]
    public void TryMatch_Topic_MatchesLikeMqttFilters(string template, string topic, bool expected)
    {
        Span<Range> captures = stackalloc Range[5];
        Assert.Equal(expected, new TopicTemplate(template).TryMatch(topic, captures));
    }

    [Fact]
    public void Map_PlainValues_TypedSamplesWithCachedPath()
    {
        using var mapper = new MessageMapper([new MqttMappingRule { Topic = "plant/{line}/{machine}/{tag}", Site = "s" }]);
        using var batch = new SampleBatch();
        Assert.Equal(MqttRejectReason.None, Map(mapper, "plant/l/m/a", "42", batch));
        Assert.Equal(MqttRejectReason.None, Map(mapper, "plant/l/m/a", " 4.5\n", batch));
        Assert.Equal(MqttRejectReason.None, Map(mapper, "plant/l/m/a", "true", batch));
        Assert.Equal(MqttRejectReason.None, Map(mapper, "plant/l/m/a", "running", batch));
        Assert.Equal(SampleValue.FromInt64(42), batch[0].Value);
        Assert.Equal(SampleValue.FromDouble(4.5), batch[1].Value);
        Assert.Equal(SampleValue.FromBoolean(true), batch[2].Value);
        Assert.Equal("running", batch[3].Value.AsString());
        Assert.Same(batch[0].Path, batch[3].Path);
        Assert.Equal("s//l/m/a", batch[0].Path.ToString());
    }

    [Fact]
    public void Map_JsonWithPaths_ValueTimestampAndQuality()
    {
        var rule = new MqttMappingRule
        {
            Topic = "dev/{machine}",
            Site = "s",
            Tag = "temp",
            Format = MqttPayloadFormat.Json,
            Json = new MqttJsonMapping { ValuePath = "d.v", TimestampPath = "ts", QualityPath = "q" },
        };
        using var mapper = new MessageMapper([rule]);
        using var batch = new SampleBatch();
        Assert.Equal(MqttRejectReason.None, Map(mapper, "dev/m1", "{\"d\":{\"v\":21.5},\"ts\":1700000000123,\"q\":\"uncertain\"}", batch));
        Assert.Equal(MqttRejectReason.None, Map(mapper, "dev/m1", "{\"d\":{\"v\":1},\"ts\":\"2024-01-02T03:04:05Z\",\"q\":2147483648}", batch));
        Assert.Equal(21.5, batch[0].Value.AsDouble());
        Assert.Equal(1_700_000_000_123_000_000, batch[0].SourceTimeNs);
        Assert.Equal(QualityLevel.Uncertain, batch[0].Quality.Level);
        Assert.Equal(UnixTime.FromDateTimeOffset(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)), batch[1].SourceTimeNs);
        Assert.Equal(QualityLevel.Bad, batch[1].Quality.Level);
        Assert.Equal(1_000, batch[1].ReceiveTimeNs);
    }

    [Fact]
    public void Map_JsonObjectOfManyValues_OneSamplePerMember()
    {
        var rule = new MqttMappingRule
        {
            Topic = "dev/{machine}",
            Site = "s",
            Format = MqttPayloadFormat.Json,
            Json = new MqttJsonMapping { ValuesPath = "values", TimestampPath = "t", TimestampUnit = MqttTimestampUnit.Seconds },
        };
        using var mapper = new MessageMapper([rule]);
        using var batch = new SampleBatch();
        Assert.Equal(MqttRejectReason.None, Map(mapper, "dev/m1", "{\"t\":1700000000,\"values\":{\"temp\":20,\"rpm\":1200.5,\"on\":false,\"err\":null}}", batch));
        Assert.Equal(4, batch.Count);
        Assert.Equal(["temp", "rpm", "on", "err"], batch.Samples.ToArray().Select(s => s.Path.Tag));
        Assert.All(batch.Samples.ToArray(), s => Assert.Equal(1_700_000_000_000_000_000, s.SourceTimeNs));
        Assert.True(batch[3].Value.IsNull);
    }

    [Fact]
    public void Map_JsonArrayOfItems_OwnTimestampsAndAllOrNothing()
    {
        var rule = new MqttMappingRule
        {
            Topic = "dev/{machine}",
            Site = "s",
            Format = MqttPayloadFormat.Json,
            Json = new MqttJsonMapping { ValuesPath = "$", ItemTagPath = "name", ValuePath = "v", TimestampPath = "ts" },
        };
        using var mapper = new MessageMapper([rule]);
        using var batch = new SampleBatch();
        Assert.Equal(MqttRejectReason.None, Map(mapper, "dev/m1", "[{\"name\":\"a\",\"v\":1,\"ts\":5},{\"name\":\"b\",\"v\":2}]", batch));
        Assert.Equal(2, batch.Count);
        Assert.Equal(5_000_000, batch[0].SourceTimeNs);
        Assert.Equal(1_000, batch[1].SourceTimeNs);
        Assert.Equal(MqttRejectReason.MissingValue, Map(mapper, "dev/m1", "[{\"name\":\"a\",\"v\":1},{\"v\":2}]", batch));
        Assert.Equal(MqttRejectReason.BadTimestamp, Map(mapper, "dev/m1", "[{\"name\":\"a\",\"v\":1,\"ts\":\"yesterday\"}]", batch));
        Assert.Equal(MqttRejectReason.UnsupportedValue, Map(mapper, "dev/m1", "[{\"name\":\"a\",\"v\":[1]}]", batch));
        Assert.Equal(2, batch.Count);
    }

    [Theory]
    [InlineData("", MqttRejectReason.EmptyPayload)]
    [InlineData("{", MqttRejectReason.InvalidJson)]
    [InlineData("{\"x\":1}", MqttRejectReason.MissingValue)]
    [InlineData("{\"value\":{}}", MqttRejectReason.UnsupportedValue)]
    [InlineData("{\"value\":1,\"q\":\"meh\"}", MqttRejectReason.BadQuality)]
    [InlineData("{\"value\":1,\"ts\":-5}", MqttRejectReason.BadTimestamp)]
    public void Map_BadJson_RejectedWithReason(string payload, MqttRejectReason expected)
    {
        var rule = new MqttMappingRule
        {
            Topic = "dev/{machine}",
            Site = "s",
            Tag = "t",
            Format = MqttPayloadFormat.Json,
            Json = new MqttJsonMapping { QualityPath = "q", TimestampPath = "ts" },
        };
        using var mapper = new MessageMapper([rule]);
        using var batch = new SampleBatch();
        Assert.Equal(expected, Map(mapper, "dev/m1", payload, batch));
        Assert.Equal(0, batch.Count);
    }
}
