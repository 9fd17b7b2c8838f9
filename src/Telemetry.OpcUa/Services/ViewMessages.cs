using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Services;

// View service set (OPC 10000-4 §5.8); field order from Opc.Ua.Types.bsd.

/// <summary>NodeClass (OPC 10000-3 §8.29), a bit mask.</summary>
[Flags]
public enum NodeClass
{
    Unspecified = 0,
    Object = 1,
    Variable = 2,
    Method = 4,
    ObjectType = 8,
    VariableType = 16,
    ReferenceType = 32,
    DataType = 64,
    View = 128,
}

/// <summary>BrowseDirection (OPC 10000-4 §7.5).</summary>
public enum BrowseDirection
{
    Forward = 0,
    Inverse = 1,
    Both = 2,
}

/// <summary>BrowseDescription (OPC 10000-4 §5.8.2.2).</summary>
public sealed record BrowseDescription
{
    public NodeId NodeId { get; init; }

    public BrowseDirection BrowseDirection { get; init; }

    public NodeId ReferenceTypeId { get; init; } = new(UaNodeIds.HierarchicalReferences);

    public bool IncludeSubtypes { get; init; } = true;

    public NodeClass NodeClassMask { get; init; }

    /// <summary>0x3F: every field of ReferenceDescription.</summary>
    public uint ResultMask { get; init; } = 0x3F;

    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteNodeId(NodeId);
        writer.WriteInt32((int)BrowseDirection);
        writer.WriteNodeId(ReferenceTypeId);
        writer.WriteBoolean(IncludeSubtypes);
        writer.WriteUInt32((uint)NodeClassMask);
        writer.WriteUInt32(ResultMask);
    }
}

/// <summary>ReferenceDescription (OPC 10000-4 §7.30).</summary>
public sealed record ReferenceDescription
{
    public NodeId ReferenceTypeId { get; init; }

    public bool IsForward { get; init; }

    public ExpandedNodeId NodeId { get; init; }

    public QualifiedName BrowseName { get; init; }

    public LocalizedText DisplayName { get; init; }

    public NodeClass NodeClass { get; init; }

    public ExpandedNodeId TypeDefinition { get; init; }

    public static ReferenceDescription Decode(ref UaBinaryReader reader) => new()
    {
        ReferenceTypeId = reader.ReadNodeId(),
        IsForward = reader.ReadBoolean(),
        NodeId = reader.ReadExpandedNodeId(),
        BrowseName = reader.ReadQualifiedName(),
        DisplayName = reader.ReadLocalizedText(),
        NodeClass = (NodeClass)reader.ReadInt32(),
        TypeDefinition = reader.ReadExpandedNodeId(),
    };
}

/// <summary>BrowseResult (OPC 10000-4 §7.6).</summary>
public sealed record BrowseResult(StatusCode StatusCode, byte[]? ContinuationPoint, ReferenceDescription[] References)
{
    public static BrowseResult Decode(ref UaBinaryReader reader) => new(
        reader.ReadStatusCode(),
        reader.ReadByteString(),
        reader.ReadArray(static (ref UaBinaryReader r) => ReferenceDescription.Decode(ref r), 12) ?? []);
}

/// <summary>BrowseRequest (OPC 10000-4 §5.8.2).</summary>
public sealed class BrowseRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.BrowseRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public uint RequestedMaxReferencesPerNode { get; init; }

    public required BrowseDescription[] NodesToBrowse { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        // ViewDescription: ViewId NodeId, Timestamp DateTime, ViewVersion u32 (the whole address space)
        writer.WriteNodeId(NodeId.Null);
        writer.WriteDateTime(default);
        writer.WriteUInt32(0);
        writer.WriteUInt32(RequestedMaxReferencesPerNode);
        writer.WriteArray(NodesToBrowse, static (ref UaBinaryWriter w, BrowseDescription v) => v.Encode(ref w));
    }
}

/// <summary>BrowseResponse (OPC 10000-4 §5.8.2).</summary>
public sealed class BrowseResponse : IServiceResponse<BrowseResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.BrowseResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public BrowseResult[] Results { get; init; } = [];

    public static BrowseResponse Decode(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var results = reader.ReadArray(static (ref UaBinaryReader r) => BrowseResult.Decode(ref r), 12) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return new BrowseResponse { ResponseHeader = header, Results = results };
    }
}

/// <summary>BrowseNextRequest (OPC 10000-4 §5.8.3).</summary>
public sealed class BrowseNextRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.BrowseNextRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public bool ReleaseContinuationPoints { get; init; }

    public required byte[]?[] ContinuationPoints { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteBoolean(ReleaseContinuationPoints);
        writer.WriteArray(ContinuationPoints, static (ref UaBinaryWriter w, byte[]? v) => w.WriteByteString(v));
    }
}

/// <summary>BrowseNextResponse (OPC 10000-4 §5.8.3).</summary>
public sealed class BrowseNextResponse : IServiceResponse<BrowseNextResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.BrowseNextResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public BrowseResult[] Results { get; init; } = [];

    public static BrowseNextResponse Decode(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var results = reader.ReadArray(static (ref UaBinaryReader r) => BrowseResult.Decode(ref r), 12) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return new BrowseNextResponse { ResponseHeader = header, Results = results };
    }
}

/// <summary>RelativePathElement (OPC 10000-4 §7.31).</summary>
public sealed record RelativePathElement(NodeId ReferenceTypeId, bool IsInverse, bool IncludeSubtypes, QualifiedName TargetName)
{
    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteNodeId(ReferenceTypeId);
        writer.WriteBoolean(IsInverse);
        writer.WriteBoolean(IncludeSubtypes);
        writer.WriteQualifiedName(TargetName);
    }
}

/// <summary>BrowsePath (OPC 10000-4 §5.8.4.2): a starting node and a RelativePath of elements.</summary>
public sealed record BrowsePath(NodeId StartingNode, RelativePathElement[] Elements)
{
    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteNodeId(StartingNode);
        writer.WriteArray(Elements, static (ref UaBinaryWriter w, RelativePathElement e) => e.Encode(ref w));
    }
}

/// <summary>BrowsePathTarget (OPC 10000-4 §5.8.4.2).</summary>
public sealed record BrowsePathTarget(ExpandedNodeId TargetId, uint RemainingPathIndex);

/// <summary>BrowsePathResult (OPC 10000-4 §5.8.4.2).</summary>
public sealed record BrowsePathResult(StatusCode StatusCode, BrowsePathTarget[] Targets)
{
    public static BrowsePathResult Decode(ref UaBinaryReader reader) => new(
        reader.ReadStatusCode(),
        reader.ReadArray(static (ref UaBinaryReader r) => new BrowsePathTarget(r.ReadExpandedNodeId(), r.ReadUInt32()), 6) ?? []);
}

/// <summary>TranslateBrowsePathsToNodeIdsRequest (OPC 10000-4 §5.8.4).</summary>
public sealed class TranslateBrowsePathsToNodeIdsRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.TranslateBrowsePathsToNodeIdsRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public required BrowsePath[] BrowsePaths { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteArray(BrowsePaths, static (ref UaBinaryWriter w, BrowsePath p) => p.Encode(ref w));
    }
}

/// <summary>TranslateBrowsePathsToNodeIdsResponse (OPC 10000-4 §5.8.4).</summary>
public sealed class TranslateBrowsePathsToNodeIdsResponse : IServiceResponse<TranslateBrowsePathsToNodeIdsResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.TranslateBrowsePathsToNodeIdsResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public BrowsePathResult[] Results { get; init; } = [];

    public static TranslateBrowsePathsToNodeIdsResponse Decode(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var results = reader.ReadArray(static (ref UaBinaryReader r) => BrowsePathResult.Decode(ref r), 8) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return new TranslateBrowsePathsToNodeIdsResponse { ResponseHeader = header, Results = results };
    }
}
