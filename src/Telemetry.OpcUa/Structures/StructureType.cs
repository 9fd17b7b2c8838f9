using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Structures;

/// <summary>
/// How one field is read: a built-in type (enumerations are Int32, abstract number and base types a Variant, an
/// abstract Structure an ExtensionObject), or a concrete structure encoded in line, without an ExtensionObject
/// header (OPC 10000-6 §5.2.7).
/// </summary>
public readonly record struct FieldCodec(BuiltInType BuiltInType, StructureType? Structure)
{
    public static FieldCodec Of(BuiltInType type) => new(type, null);

    public static FieldCodec Of(StructureType structure) => new(BuiltInType.ExtensionObject, structure);
}

/// <summary>A field of a <see cref="StructureType"/> with its codec resolved. ValueRank -1 scalar, 1 array, &gt; 1 matrix.</summary>
public sealed record StructureField(string Name, FieldCodec Codec, int ValueRank, bool IsOptional);

/// <summary>
/// A server's structured DataType, ready to decode: its fields resolved down to built-in types or other
/// structures. Built by <see cref="Client.UaSession.LoadStructureTypesAsync"/> from the DataTypeDefinition
/// attributes (or by hand in tests).
/// </summary>
public sealed class StructureType
{
    private IReadOnlyList<StructureField> _fields = [];

    public StructureType(string name, ExpandedNodeId dataTypeId, ExpandedNodeId encodingId, StructureKind kind)
    {
        Name = name;
        DataTypeId = dataTypeId;
        EncodingId = encodingId;
        Kind = kind;
    }

    public string Name { get; }

    public ExpandedNodeId DataTypeId { get; }

    /// <summary>The DefaultBinary encoding id carried as the TypeId of its ExtensionObjects (with namespace URI).</summary>
    public ExpandedNodeId EncodingId { get; }

    public StructureKind Kind { get; }

    /// <summary>Set once when the type is built (types may refer to each other, so fields come after construction).</summary>
    public IReadOnlyList<StructureField> Fields
    {
        get => _fields;
        init => _fields = value;
    }

    internal void SetFields(IReadOnlyList<StructureField> fields) => _fields = fields;

    public override string ToString() => $"{Name} ({Kind}, {_fields.Count} fields)";
}
