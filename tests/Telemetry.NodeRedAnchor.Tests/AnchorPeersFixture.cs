using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing.Peers;

namespace Telemetry.NodeRedAnchor.Tests;

/// <summary>The real peers of the anchor tests: the node-opcua PLC with 100 load items stepping every 100 ms, and InfluxDB 1.x.</summary>
public sealed class AnchorPeersFixture : IAsyncLifetime
{
    public const int Items = 100;
    public const int LoadMs = 100;

    public OpcUaPlcPeer Plc { get; private set; } = null!;

    public InfluxDbPeer Influx { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var plc = OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { Items = Items, LoadMs = LoadMs });
        var influx = InfluxDbPeer.StartAsync();
        Plc = await plc;
        Influx = await influx;
    }

    public async Task DisposeAsync()
    {
        if (Plc is not null)
        {
            await Plc.DisposeAsync();
        }

        if (Influx is not null)
        {
            await Influx.DisposeAsync();
        }
    }
}
