using Telemetry.Edge.Configuration;
using Telemetry.Edge.OpcUa;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>`writer_queue` of an opcua source in edge.yaml: read, defaulted, and refused with the file position when out of range.</summary>
public sealed class OpcUaWriterQueueConfigTests
{
    private static string Yaml(string writerQueue) => $"""
        edge: {"{"} id: edge-1, site: plant-a, data_dir: /tmp/x {"}"}
        sources:
          - name: press-plc
            type: opcua
            endpoint: opc.tcp://127.0.0.1:4840
        {writerQueue}
            nodes:
              - {"{"} node: "nsu=urn:telemetry:plc;s=Counter", machine: plc-1 {"}"}
        """;

    private static OpcUaSourceOptions Parse(string yaml) =>
        Assert.IsType<OpcUaSourceConfig>(Assert.Single(EdgeConfigLoader.Parse(yaml, "edge.yaml").Sources)).Options;

    [Fact]
    public void Parse_WriterQueueGiven_SetsTheCapacity()
    {
        Assert.Equal(250_000, Parse(Yaml("    writer_queue: 250000")).WriterQueueCapacity);
        Assert.Equal(OpcUaSourceOptions.MinWriterQueueCapacity, Parse(Yaml("    writer_queue: 1000")).WriterQueueCapacity);
        Assert.Equal(OpcUaSourceOptions.MaxWriterQueueCapacity, Parse(Yaml("    writer_queue: 10000000")).WriterQueueCapacity);
    }

    [Fact]
    public void Parse_WriterQueueMissing_Default100000()
    {
        Assert.Equal(100_000, Parse(Yaml(string.Empty)).WriterQueueCapacity);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("999")]
    [InlineData("10000001")]
    [InlineData("99999999999")]
    [InlineData("lots")]
    [InlineData("1.5")]
    public void Parse_WriterQueueOutOfRange_ErrorNamesFileLineKeyAndRange(string value)
    {
        var error = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(Yaml($"    writer_queue: {value}"), "edge.yaml"));

        Assert.StartsWith($"edge.yaml:6:19: sources[0].writer_queue: '{value}' is not a whole number from 1000 to 10000000", error.Message, StringComparison.Ordinal);
        Assert.Contains("holds back its Publish requests", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WriterQueueCapacityOverTheMaximum_RejectedNamingTheSource()
    {
        var options = Parse(Yaml(string.Empty)) with { WriterQueueCapacity = OpcUaSourceOptions.MaxWriterQueueCapacity + 1 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("OPC UA source 'press-plc'", error.Message, StringComparison.Ordinal);
        Assert.Contains("over 10000000 samples", error.Message, StringComparison.Ordinal);
    }
}
