using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;
using Telemetry.OpcUa.Tests.Fixtures;

namespace Telemetry.OpcUa.Tests.Integration;

[Collection(PlcCollection.Name)]
public sealed class SessionTests(OpcUaPlcFixture fixture)
{
    private const string Plc = "urn:telemetry:plc";

    private static ExpandedNodeId Tag(string name) => new(new NodeId(name, 0), Plc);

    [Fact]
    public async Task ConnectAsync_Anonymous_ReadsNamespacesAndLimits()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        Assert.True(session.Namespaces.TryGetIndex(Plc, out _));
        Assert.True(session.Namespaces.TryGetIndex("urn:telemetry:machines", out _));
        Assert.False(session.SessionId.IsNull);
        Assert.True(session.OperationLimits.MaxNodesPerRead > 0);
        await session.CloseAsync(cts.Token);
    }

    [Fact]
    public async Task BrowseAsync_ServerObject_ListsStatusCapabilitiesAndNamespaceArray()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        var children = await session.BrowseAsync(new NodeId(UaNodeIds.Server), cancellationToken: cts.Token);

        Assert.Contains(children, c => c.BrowseName.Name == "ServerStatus" && c.NodeClass == NodeClass.Variable);
        Assert.Contains(children, c => c.BrowseName.Name == "ServerCapabilities" && c.NodeClass == NodeClass.Object);
        Assert.Contains(children, c => c.BrowseName.Name == "NamespaceArray" && c.NodeId == new ExpandedNodeId(new NodeId(UaNodeIds.Server_NamespaceArray)));
    }

    [Fact]
    public async Task BrowseAsync_PlcFolder_NamesChildrenByNamespaceUri()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        var children = await session.BrowseAsync(Tag("PLC"), cancellationToken: cts.Token);

        Assert.Contains(children, c => c.NodeId == Tag("Counter") && c.NodeClass == NodeClass.Variable);
        Assert.Contains(children, c => c.NodeId == Tag("Scalars"));
        var load = await session.BrowseAsync(Tag("Load"), cancellationToken: cts.Token);
        Assert.Equal(100, load.Count(c => c.NodeClass == NodeClass.Variable));
    }

    [Fact]
    public async Task TranslateBrowsePathAsync_ObjectsToMachineTag_FindsNode()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        var id = await session.TranslateBrowsePathAsync(new NodeId(UaNodeIds.ObjectsFolder), [("urn:telemetry:machines", "Machines"), ("urn:telemetry:machines", "Press1"), ("urn:telemetry:machines", "Force")], cts.Token);

        Assert.Equal(ExpandedNodeId.Parse("nsu=urn:telemetry:machines;s=Press1.Force"), id);
    }

    public static TheoryData<string, object> ScalarValues() => new()
    {
        { "Boolean", true },
        { "SByte", (sbyte)-100 },
        { "Byte", (byte)200 },
        { "Int16", (short)-30000 },
        { "UInt16", (ushort)60000 },
        { "Int32", -2000000000 },
        { "UInt32", 4000000000u },
        { "Int64", -2L },
        { "UInt64", 4294967298UL },
        { "Float", 1.5f },
        { "Double", 3.141592653589793 },
        { "String", "Grüße 水" },
        { "DateTime", new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc) },
        { "Guid", Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63") },
        { "ByteString", new byte[] { 1, 2, 3, 255 } },
        { "XmlElement", "<a>b</a>" },
        { "StatusCode", new StatusCode(StatusCodes.BadTimeout) },
        { "LocalizedText", new LocalizedText("de", "Ofen") },
    };

    [Theory]
    [MemberData(nameof(ScalarValues))]
    public async Task ReadValueAsync_ScalarOfEveryBuiltInType_ReadsBackExactly(string name, object expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        var value = await session.ReadValueAsync(Tag("Scalars." + name), cts.Token);

        Assert.True(value.StatusCode.IsGood, value.StatusCode.ToString());
        Assert.Equal(Enum.Parse<BuiltInType>(name), value.Value.Type);
        Assert.Equal(expected, value.Value.Value);
        Assert.NotEqual(default, value.ServerTimestamp);
    }

    [Fact]
    public async Task ReadValueAsync_NodeIdTypes_ResolveNamespaceIndexes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        var values = await session.ReadAsync([Tag("Scalars.NodeId"), Tag("Scalars.ExpandedNodeId"), Tag("Scalars.QualifiedName")], cancellationToken: cts.Token);

        Assert.Equal(new NodeId("Some.Node", 1), values[0].Value.Value);
        Assert.Equal(new ExpandedNodeId(new NodeId(UaNodeIds.Server)), values[1].Value.Value);
        Assert.Equal(new QualifiedName(1, "Qn"), values[2].Value.Value);
    }

    public static TheoryData<string, BuiltInType, object> ArrayValues() => new()
    {
        { "Boolean", BuiltInType.Boolean, new[] { true, false, true } },
        { "SByte", BuiltInType.SByte, new sbyte[] { -1, 0, 1 } },
        { "Byte", BuiltInType.Byte, new byte[] { 0, 128, 255 } },
        { "Int16", BuiltInType.Int16, new short[] { -1, 2, -3 } },
        { "UInt16", BuiltInType.UInt16, new ushort[] { 1, 2, 65535 } },
        { "Int32", BuiltInType.Int32, new[] { -1, 0, 2147483647 } },
        { "UInt32", BuiltInType.UInt32, new[] { 1u, 2u, 4294967295u } },
        { "Int64", BuiltInType.Int64, new[] { 1L, -1L } },
        { "UInt64", BuiltInType.UInt64, new[] { 1UL, 4294967296UL } },
        { "Float", BuiltInType.Float, new[] { 0.5f, -0.25f, 8f } },
        { "Double", BuiltInType.Double, new[] { 1.25, -2.5, 1e300 } },
        { "String", BuiltInType.String, new string?[] { "a", "bü", string.Empty } },
        { "DateTime", BuiltInType.DateTime, new[] { new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2030, 12, 31, 23, 59, 59, DateTimeKind.Utc) } },
        { "Guid", BuiltInType.Guid, new[] { Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63"), Guid.Parse("00000000-0000-0000-0000-000000000001") } },
        { "ByteString", BuiltInType.ByteString, new byte[]?[] { [1], [2, 3] } },
        { "StatusCode", BuiltInType.StatusCode, new[] { StatusCode.Good, new StatusCode(StatusCodes.BadTimeout) } },
        { "QualifiedName", BuiltInType.QualifiedName, new[] { new QualifiedName(0, "A") } },
        { "LocalizedText", BuiltInType.LocalizedText, new[] { new LocalizedText("en", "Mill") } },
    };

    [Theory]
    [MemberData(nameof(ArrayValues))]
    public async Task ReadValueAsync_ArrayOfEveryType_ReadsBackExactly(string name, BuiltInType type, object expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        var value = await session.ReadValueAsync(Tag("Arrays." + name), cts.Token);

        Assert.True(value.StatusCode.IsGood, value.StatusCode.ToString());
        Assert.Equal(Variant.FromArray(type, (Array)expected), value.Value);
    }

    [Fact]
    public async Task ReadValueAsync_Matrix_KeepsDimensions()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        var value = await session.ReadValueAsync(Tag("Arrays.Matrix"), cts.Token);

        Assert.Equal(Variant.FromArray(BuiltInType.Int32, new[] { 1, 2, 3, 4, 5, 6 }, [2, 3]), value.Value);
    }

    [Fact]
    public async Task ReadAsync_UnknownNamespaceUri_ThrowsWithNodeAndUri()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = fixture.Plc.EndpointUrl }, cts.Token);

        var ex = await Assert.ThrowsAsync<OpcUaException>(() => session.ReadValueAsync(ExpandedNodeId.Parse("nsu=urn:nope;s=X"), cts.Token));

        Assert.Equal(StatusCodes.BadNodeIdUnknown, ex.StatusCode.Code);
        Assert.Contains("urn:nope", ex.Message, StringComparison.Ordinal);
    }
}
