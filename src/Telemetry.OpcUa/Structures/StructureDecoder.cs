using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Structures;

/// <summary>
/// Decodes a structure's binary body by its <see cref="StructureType"/> (OPC 10000-6 §5.2.7):
/// <code>
/// Structure                    | field 1 | field 2 | …                         (every field in order)
/// StructureWithOptionalFields  | EncodingMask UInt32 | fields present |         (bit i: i-th optional field present)
/// Union                        | SwitchField UInt32 | [ the chosen field ] |    (0: no field; 1..n: field n)
/// field                        scalar: the value (nested structures in line) · ValueRank 1: Int32 length + values
///                              ValueRank &gt; 1: Int32[] dimensions + product × values
/// </code>
/// Every length is checked against the reader's limits before allocating; a body that ends early, has bytes
/// left over, or names an unknown union field throws <see cref="OpcUaException"/> (Bad_DecodingError).
/// </summary>
public static class StructureDecoder
{
    public static StructureValue Decode(StructureType type, ReadOnlySpan<byte> body, UaLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        var reader = new UaBinaryReader(body, limits);
        var value = Read(ref reader, type, 0);
        if (reader.Remaining != 0)
        {
            OpcUaException.ThrowDecoding($"{type.Name}: {reader.Remaining} byte(s) left after its last field (the structure definition does not match the data).");
        }

        return value;
    }

    private static StructureValue Read(ref UaBinaryReader reader, StructureType type, int depth)
    {
        if (depth > reader.Limits.MaxNestingDepth)
        {
            OpcUaException.ThrowLimit("Structure nesting depth", depth, reader.Limits.MaxNestingDepth);
        }

        var fields = type.Fields;
        var values = new List<StructureFieldValue>(fields.Count);
        switch (type.Kind)
        {
            case StructureKind.Union:
            case StructureKind.UnionWithSubtypedValues:
            {
                var selected = reader.ReadUInt32();
                if (selected > fields.Count)
                {
                    OpcUaException.ThrowDecoding($"{type.Name}: union switch value {selected} names no field (it has {fields.Count}).");
                }

                if (selected > 0)
                {
                    values.Add(ReadField(ref reader, fields[(int)selected - 1], depth));
                }

                break;
            }

            case StructureKind.StructureWithOptionalFields:
            {
                var mask = reader.ReadUInt32();
                var optionalIndex = 0;
                foreach (var field in fields)
                {
                    if (field.IsOptional)
                    {
                        var present = optionalIndex < 32 && (mask & (1u << optionalIndex)) != 0;
                        optionalIndex++;
                        if (!present)
                        {
                            continue;
                        }
                    }

                    values.Add(ReadField(ref reader, field, depth));
                }

                break;
            }

            default:
                foreach (var field in fields)
                {
                    values.Add(ReadField(ref reader, field, depth));
                }

                break;
        }

        return new StructureValue(type, values);
    }

    private static StructureFieldValue ReadField(ref UaBinaryReader reader, StructureField field, int depth)
    {
        var codec = field.Codec;
        if (field.ValueRank > 1)
        {
            return ReadMatrix(ref reader, field, depth);
        }

        var isArray = field.ValueRank >= 1;
        if (codec.Structure is { } nested)
        {
            if (!isArray)
            {
                return new StructureFieldValue(field.Name, default, Read(ref reader, nested, depth + 1));
            }

            var length = reader.ReadArrayLength(1);
            var items = new List<StructureValue>(Math.Max(0, length));
            for (var i = 0; i < length; i++)
            {
                items.Add(Read(ref reader, nested, depth + 1));
            }

            return new StructureFieldValue(field.Name, default, Structures: items);
        }

        return new StructureFieldValue(field.Name, reader.ReadValueOfType(codec.BuiltInType, isArray));
    }

    /// <summary>§5.2.5 multi-dimensional array: the dimensions as an Int32 array, then every element (row-major).</summary>
    private static StructureFieldValue ReadMatrix(ref UaBinaryReader reader, StructureField field, int depth)
    {
        var dimensions = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadInt32(), 4) ?? [];
        long count = dimensions.Length == 0 ? 0 : 1;
        foreach (var d in dimensions)
        {
            if (d < 0)
            {
                OpcUaException.ThrowDecoding($"Field {field.Name}: matrix dimension {d} is negative.");
            }

            count *= d;
            if (count > reader.Limits.MaxArrayLength || count > reader.Remaining)
            {
                OpcUaException.ThrowLimit($"Field {field.Name} matrix length", count, Math.Min(reader.Limits.MaxArrayLength, reader.Remaining));
            }
        }

        if (field.Codec.Structure is { } nested)
        {
            var items = new List<StructureValue>((int)count);
            for (var i = 0; i < count; i++)
            {
                items.Add(Read(ref reader, nested, depth + 1));
            }

            return new StructureFieldValue(field.Name, default, Structures: items);
        }

        var values = new Variant[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadValueOfType(field.Codec.BuiltInType, false);
        }

        return new StructureFieldValue(field.Name, Variant.FromArray(BuiltInType.Variant, values, dimensions.Length > 1 ? dimensions : null));
    }
}
