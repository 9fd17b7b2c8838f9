using Telemetry.Core;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>
/// A value with OPC UA's Overflow bit follows values the PLC discarded (its queue for the item was full): the source
/// counts them, and the status stays on the sample, so the loss is visible in the agent and in the store.
/// </summary>
public sealed class OpcUaSampleWriterOverflowTests
{
    private static readonly MonitoredItem Item = new(
        new MonitoredItemOptions(ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Counter")) { Tag = new AssetPath("plant-a", "", "", "plc-1", "counter") }, 1);

    [Fact]
    public void OnDataChange_OverflowBit_CountedAndKeptOnTheSample()
    {
        var writer = new OpcUaSampleWriter(new OpcUaSourceOptions { Name = "plc", Site = "plant-a", EndpointUrl = "opc.tcp://127.0.0.1:4840" }, static (_, _) => { });
        writer.OnDataChange(Item, new DataValue(1.0, default, DateTime.UtcNow));
        writer.OnDataChange(Item, new DataValue(2.0, new StatusCode(0x480), DateTime.UtcNow));
        writer.OnDataChange(Item, new DataValue(3.0, new StatusCode(0x400), DateTime.UtcNow)); // InfoType DataValue, no overflow
        writer.OnDataChange(Item, new DataValue(4.0, new StatusCode(0x40000480), DateTime.UtcNow)); // uncertain, overflow
        Assert.Equal(2, writer.Overflows);

        var sample = OpcUaValueConverter.ToSample(new AssetPath("plant-a", "", "", "plc-1", "counter"), new DataValue(2.0, new StatusCode(0x480), DateTime.UtcNow), 0);
        Assert.True(sample.Quality.IsGood);
        Assert.Equal(0x480u, sample.Quality.SourceStatus);
    }
}
