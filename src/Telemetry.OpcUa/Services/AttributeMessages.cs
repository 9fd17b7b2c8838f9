using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Services;

// Attribute service set (OPC 10000-4 §5.10); field order from Opc.Ua.Types.bsd.

/// <summary>Attribute ids (OPC 10000-6 Annex A / AttributeIds.csv).</summary>
public enum AttributeId : uint
{
    NodeId = 1,
    NodeClass = 2,
    BrowseName = 3,
    DisplayName = 4,
    Description = 5,
    WriteMask = 6,
    UserWriteMask = 7,
    IsAbstract = 8,
    Symmetric = 9,
    InverseName = 10,
    ContainsNoLoops = 11,
    EventNotifier = 12,
    Value = 13,
    DataType = 14,
    ValueRank = 15,
    ArrayDimensions = 16,
    AccessLevel = 17,
    UserAccessLevel = 18,
    MinimumSamplingInterval = 19,
    Historizing = 20,
    Executable = 21,
    UserExecutable = 22,
    DataTypeDefinition = 23,
    RolePermissions = 24,
    UserRolePermissions = 25,
    AccessRestrictions = 26,
#pragma warning disable CA1711 // the specification's name
    AccessLevelEx = 27,
#pragma warning restore CA1711
}

/// <summary>TimestampsToReturn (OPC 10000-4 §7.40).</summary>
public enum TimestampsToReturn
{
    Source = 0,
    Server = 1,
    Both = 2,
    Neither = 3,
}

/// <summary>ReadValueId (OPC 10000-4 §7.29): <c>| NodeId | AttributeId u32 | IndexRange String | DataEncoding QualifiedName |</c>.</summary>
public readonly record struct ReadValueId(NodeId NodeId, AttributeId AttributeId = AttributeId.Value, string? IndexRange = null)
{
    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteNodeId(NodeId);
        writer.WriteUInt32((uint)AttributeId);
        writer.WriteString(IndexRange);
        writer.WriteQualifiedName(default);
    }
}

/// <summary>ReadRequest (OPC 10000-4 §5.10.2).</summary>
public sealed class ReadRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.ReadRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public double MaxAge { get; init; }

    public TimestampsToReturn TimestampsToReturn { get; init; } = TimestampsToReturn.Both;

    public required ReadValueId[] NodesToRead { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteDouble(MaxAge);
        writer.WriteInt32((int)TimestampsToReturn);
        writer.WriteArray(NodesToRead, static (ref UaBinaryWriter w, ReadValueId v) => v.Encode(ref w));
    }
}

/// <summary>ReadResponse (OPC 10000-4 §5.10.2).</summary>
public sealed class ReadResponse : IServiceResponse<ReadResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.ReadResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public DataValue[] Results { get; init; } = [];

    public static ReadResponse Decode(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var results = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDataValue()) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return new ReadResponse { ResponseHeader = header, Results = results };
    }
}
