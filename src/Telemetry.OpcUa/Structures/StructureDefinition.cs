using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Structures;

/// <summary>StructureType (OPC 10000-3 §8.49): how a structure's fields are laid out in its encoding.</summary>
public enum StructureKind
{
    Structure = 0,
    StructureWithOptionalFields = 1,
    Union = 2,
    StructureWithSubtypedValues = 3,
    UnionWithSubtypedValues = 4,
}

/// <summary>StructureField (OPC 10000-3 §8.51), as the server's DataTypeDefinition attribute gives it.</summary>
public sealed record StructureFieldDefinition(string Name, NodeId DataType, int ValueRank, IReadOnlyList<uint> ArrayDimensions, bool IsOptional);

/// <summary>
/// StructureDefinition (OPC 10000-3 §8.48): the DataTypeDefinition attribute (id 23) of a structured DataType node,
/// encoded as an ExtensionObject with type StructureDefinition_Encoding_DefaultBinary (i=122):
/// <code>
/// | DefaultEncodingId NodeId | BaseDataType NodeId | StructureType Int32 |
/// | Fields: Int32 count × ( Name String | Description LocalizedText | DataType NodeId | ValueRank Int32 |
///                           ArrayDimensions UInt32[] | MaxStringLength UInt32 | IsOptional Boolean ) |
/// </code>
/// Node ids are the session's (namespace indexes of the session that read them).
/// </summary>
public sealed record StructureDefinition(NodeId DefaultEncodingId, NodeId BaseDataType, StructureKind Kind, IReadOnlyList<StructureFieldDefinition> Fields)
{
    /// <summary>True when <paramref name="value"/> is an EnumDefinition (i=123): the type is an enumeration (Int32 on the wire).</summary>
    public static bool IsEnumDefinition(in Variant value) =>
        value.Type == BuiltInType.ExtensionObject && !value.IsArray && value.Value is ExtensionObject { TypeId: { NamespaceIndex: 0, IdType: NodeIdType.Numeric } id }
        && id.NumericIdentifier == UaNodeIds.EnumDefinition_Encoding_DefaultBinary;

    /// <summary>The StructureDefinition in a DataTypeDefinition value, or null when the value is something else.</summary>
    public static StructureDefinition? FromAttribute(in Variant value, UaLimits? limits = null)
    {
        if (value.Type != BuiltInType.ExtensionObject || value.IsArray || value.Value is not ExtensionObject { Encoding: ExtensionObjectEncoding.Binary } eo
            || eo.TypeId is not { NamespaceIndex: 0, IdType: NodeIdType.Numeric } id || id.NumericIdentifier != UaNodeIds.StructureDefinition_Encoding_DefaultBinary)
        {
            return null;
        }

        return Decode(eo.Body.Span, limits);
    }

    /// <summary>Decodes a StructureDefinition body; malformed input throws <see cref="OpcUaException"/> (Bad_DecodingError).</summary>
    public static StructureDefinition Decode(ReadOnlySpan<byte> body, UaLimits? limits = null)
    {
        var reader = new UaBinaryReader(body, limits);
        var encodingId = reader.ReadNodeId();
        var baseType = reader.ReadNodeId();
        var kind = reader.ReadInt32();
        if (kind is < 0 or > (int)StructureKind.UnionWithSubtypedValues)
        {
            OpcUaException.ThrowDecoding($"StructureDefinition has an unknown StructureType {kind}.");
        }

        var fields = reader.ReadArray(static (ref UaBinaryReader r) =>
        {
            var name = r.ReadString();
            _ = r.ReadLocalizedText();
            var dataType = r.ReadNodeId();
            var valueRank = r.ReadInt32();
            var dimensions = r.ReadArray(static (ref UaBinaryReader d) => d.ReadUInt32(), 4) ?? [];
            _ = r.ReadUInt32();
            var optional = r.ReadBoolean();
            if (string.IsNullOrEmpty(name))
            {
                OpcUaException.ThrowDecoding("A StructureDefinition field has no name.");
            }

            return new StructureFieldDefinition(name!, dataType, valueRank, dimensions, optional);
        }, 4) ?? [];
        return new StructureDefinition(encodingId, baseType, (StructureKind)kind, fields);
    }
}
