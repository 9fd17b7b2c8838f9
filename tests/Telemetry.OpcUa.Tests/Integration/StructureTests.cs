using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;
using Telemetry.OpcUa.Structures;
using Telemetry.OpcUa.Tests.Fixtures;

namespace Telemetry.OpcUa.Tests.Integration;

/// <summary>The PLC's user-defined structure (hardware/opcua-plc/types.xml, MachineState) decoded from its DataTypeDefinition.</summary>
[Collection(PlcCollection.Name)]
public sealed class StructureTests(OpcUaPlcFixture fixture)
{
    private static readonly ExpandedNodeId StructureNode = new(new NodeId("Structure", 0), "urn:telemetry:plc");

    [Fact]
    public async Task LoadStructureTypesAsync_PlcUserType_DecodesEveryFieldExactly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);
        var dataType = (await session.ReadAsync([StructureNode], AttributeId.DataType, cts.Token))[0].Value.Value;
        var value = await session.ReadValueAsync(StructureNode, cts.Token);

        var library = await session.LoadStructureTypesAsync([(NodeId)dataType!], cts.Token);
        Assert.True(library.TryDecode((ExtensionObject)value.Value.Value!, session.Namespaces, out var decoded));

        Assert.Equal("MachineState", decoded.Type.Name);
        Assert.Equal("urn:telemetry:plc:types", decoded.Type.EncodingId.NamespaceUri);
        Assert.Equal(["Name", "Temperature", "Running", "PartCount", "Alarms"], decoded.Fields.Select(f => f.Name));
        Assert.Equal("Press1", decoded["Name"]!.Value.Value);
        Assert.Equal(81.5, decoded["Temperature"]!.Value.Value);
        Assert.Equal(true, decoded["Running"]!.Value.Value);
        Assert.Equal(1234u, decoded["PartCount"]!.Value.Value);
        Assert.Equal(new[] { 3, 7 }, (int[])decoded["Alarms"]!.Value.ArrayValue!);
    }

    [Fact]
    public async Task LoadStructureTypesAsync_BuiltInAndSubtypeIds_LeftOutWithoutError()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        // Double (built in), Duration (a subtype of Double), ServerStatusDataType (a standard structure)
        var library = await session.LoadStructureTypesAsync([new NodeId(11), new NodeId(UaNodeIds.Duration), new NodeId(862)], cts.Token);

        Assert.Equal(["BuildInfo", "ServerStatusDataType"], library.Types.Select(t => t.Name).Order());
        var type = library.Types.Single(t => t.Name == "ServerStatusDataType");
        Assert.Contains(type.Fields, f => f.Name == "BuildInfo" && f.Codec.Structure?.Name == "BuildInfo");
        Assert.Contains(type.Fields, f => f.Name == "State" && f.Codec.BuiltInType == BuiltInType.Int32); // ServerState enumeration
        Assert.Contains(type.Fields, f => f.Name == "StartTime" && f.Codec.BuiltInType == BuiltInType.DateTime); // UtcTime
    }

    [Fact]
    public async Task ServerStatus_StandardStructure_DecodesNestedBuildInfo()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);
        var library = await session.LoadStructureTypesAsync([new NodeId(862)], cts.Token);

        var status = await session.ReadValueAsync(new NodeId(2256), cts.Token); // Server_ServerStatus
        Assert.True(library.TryDecode((ExtensionObject)status.Value.Value!, session.Namespaces, out var decoded));

        var leaves = decoded.Flatten().ToDictionary(l => l.Key, l => l.Value.Value);
        Assert.Equal(0, leaves["State"]); // Running
        Assert.False(string.IsNullOrEmpty((string?)leaves["BuildInfo.ProductName"]));
        Assert.IsType<DateTime>(leaves["StartTime"]);
    }
}
