namespace Telemetry.OpcUa.Encoding;

public ref partial struct UaBinaryReader
{
    /// <summary>
    /// §5.2.2.17 DataValue: a mask byte, then the present fields in this order:
    /// <code>
    /// | mask | [Value Variant 0x01] | [Status uint32 0x02] | [SourceTimestamp 0x04] | [SourcePicoseconds uint16 0x10] |
    /// | [ServerTimestamp 0x08] | [ServerPicoseconds uint16 0x20] |
    /// </code>
    /// Numeric values allocate nothing.
    /// </summary>
    public DataValue ReadDataValue()
    {
        var mask = ReadByte();
        if (mask == 0)
        {
            return default;
        }

        Enter();
        var value = (mask & 0x01) != 0 ? ReadVariant() : default;
        var status = (mask & 0x02) != 0 ? ReadStatusCode() : default;
        var sourceTimestamp = (mask & 0x04) != 0 ? ReadDateTime() : default;
        var sourcePicoseconds = (mask & 0x10) != 0 ? ReadUInt16() : (ushort)0;
        var serverTimestamp = (mask & 0x08) != 0 ? ReadDateTime() : default;
        var serverPicoseconds = (mask & 0x20) != 0 ? ReadUInt16() : (ushort)0;
        Leave();
        return new DataValue(value, status, sourceTimestamp, serverTimestamp, sourcePicoseconds, serverPicoseconds);
    }

    /// <summary>
    /// §5.2.2.16 Variant:
    /// <code>
    /// | mask byte: bits 0-5 BuiltInType id, 0x40 ArrayDimensions present, 0x80 array |
    /// scalar: | value |
    /// array:  | ArrayLength Int32 | value × length | [DimensionsLength Int32 | Int32 × n] (if 0x40) |
    /// </code>
    /// A matrix's dimension product must equal the array length.
    /// </summary>
    public Variant ReadVariant()
    {
        var mask = ReadByte();
        if (mask == 0)
        {
            return default;
        }

        var typeId = mask & 0x3F;
        if (typeId > (int)BuiltInType.DiagnosticInfo)
        {
            OpcUaException.ThrowDecoding($"Variant type id {typeId} at offset {_position - 1} is not a built-in type.");
        }

        var type = (BuiltInType)typeId;
        if ((mask & 0x80) == 0)
        {
            if ((mask & 0x40) != 0 || type == BuiltInType.Variant || type == BuiltInType.Null)
            {
                OpcUaException.ThrowDecoding($"Variant mask 0x{mask:X2} at offset {_position - 1} is invalid for a scalar.");
            }

            return ReadScalar(type);
        }

        Enter();
        var array = ReadArray(type);
        int[]? dimensions = null;
        if ((mask & 0x40) != 0)
        {
            var count = ReadArrayLength(4);
            if (count < 1)
            {
                OpcUaException.ThrowDecoding($"Variant array dimensions at offset {_position - 4} are empty.");
            }

            dimensions = new int[count];
            long product = 1;
            for (var i = 0; i < count; i++)
            {
                var d = ReadInt32();
                if (d < 0)
                {
                    OpcUaException.ThrowDecoding($"Variant array dimension {d} at offset {_position - 4} is negative.");
                }

                dimensions[i] = d;
                product = Math.Min(product * d, int.MaxValue + 1L);
            }

            if (product != (array?.Length ?? 0))
            {
                OpcUaException.ThrowDecoding($"Variant matrix dimensions (product {product}) do not match its {array?.Length ?? 0} elements.");
            }

            if (count == 1)
            {
                dimensions = null;
            }
        }

        Leave();
        return Variant.FromDecodedArray(type, array, dimensions);
    }

    /// <summary>
    /// A value of a known built-in type without the Variant mask, as a structure's field is encoded (§5.2.7):
    /// a scalar, or (<paramref name="isArray"/>) a length-prefixed one-dimensional array. Variant itself reads a
    /// full Variant; Null is refused.
    /// </summary>
    public Variant ReadValueOfType(BuiltInType type, bool isArray)
    {
        if (type is BuiltInType.Null || (uint)type > (uint)BuiltInType.DiagnosticInfo)
        {
            OpcUaException.ThrowDecoding($"A structure field of type {type} at offset {_position} cannot be decoded.");
        }

        if (isArray)
        {
            Enter();
            var array = ReadArray(type);
            Leave();
            return Variant.FromDecodedArray(type, array, null);
        }

        return type == BuiltInType.Variant ? ReadVariant() : ReadScalar(type);
    }

    private Variant ReadScalar(BuiltInType type) => type switch
    {
        BuiltInType.Boolean => Variant.FromBits(type, ReadBoolean() ? 1 : 0),
        BuiltInType.SByte => Variant.FromBits(type, ReadSByte()),
        BuiltInType.Byte => Variant.FromBits(type, ReadByte()),
        BuiltInType.Int16 => Variant.FromBits(type, ReadInt16()),
        BuiltInType.UInt16 => Variant.FromBits(type, ReadUInt16()),
        BuiltInType.Int32 => Variant.FromBits(type, ReadInt32()),
        BuiltInType.UInt32 => Variant.FromBits(type, ReadUInt32()),
        BuiltInType.Int64 => Variant.FromBits(type, ReadInt64()),
        BuiltInType.UInt64 => Variant.FromBits(type, (long)ReadUInt64()),
        BuiltInType.Float => Variant.FromBits(type, BitConverter.SingleToInt32Bits(ReadFloat())),
        BuiltInType.Double => Variant.FromBits(type, BitConverter.DoubleToInt64Bits(ReadDouble())),
        BuiltInType.DateTime => Variant.FromBits(type, ReadDateTime().Ticks),
        BuiltInType.StatusCode => Variant.FromBits(type, ReadUInt32()),
        BuiltInType.String => Variant.FromReference(type, ReadString()),
        BuiltInType.XmlElement => Variant.FromReference(type, ReadXmlElement()),
        BuiltInType.Guid => Variant.FromReference(type, ReadGuid()),
        BuiltInType.ByteString => Variant.FromReference(type, ReadByteString()),
        BuiltInType.NodeId => Variant.FromReference(type, ReadNodeId()),
        BuiltInType.ExpandedNodeId => Variant.FromReference(type, ReadExpandedNodeId()),
        BuiltInType.QualifiedName => Variant.FromReference(type, ReadQualifiedName()),
        BuiltInType.LocalizedText => Variant.FromReference(type, ReadLocalizedText()),
        BuiltInType.ExtensionObject => Variant.FromReference(type, ReadExtensionObject()),
        BuiltInType.DataValue => Variant.FromReference(type, ReadDataValue()),
        BuiltInType.DiagnosticInfo => Variant.FromReference(type, ReadDiagnosticInfo()),
        _ => default,
    };

    private Array? ReadArray(BuiltInType type)
    {
        var length = ReadArrayLength(MinimumSize(type));
        if (length < 0)
        {
            return null;
        }

        switch (type)
        {
            case BuiltInType.Boolean: return Fill<bool>(length, static (ref UaBinaryReader r) => r.ReadBoolean());
            case BuiltInType.SByte: return Fill<sbyte>(length, static (ref UaBinaryReader r) => r.ReadSByte());
            case BuiltInType.Byte: return Take(length).ToArray();
            case BuiltInType.Int16: return Fill<short>(length, static (ref UaBinaryReader r) => r.ReadInt16());
            case BuiltInType.UInt16: return Fill<ushort>(length, static (ref UaBinaryReader r) => r.ReadUInt16());
            case BuiltInType.Int32: return Fill<int>(length, static (ref UaBinaryReader r) => r.ReadInt32());
            case BuiltInType.UInt32: return Fill<uint>(length, static (ref UaBinaryReader r) => r.ReadUInt32());
            case BuiltInType.Int64: return Fill<long>(length, static (ref UaBinaryReader r) => r.ReadInt64());
            case BuiltInType.UInt64: return Fill<ulong>(length, static (ref UaBinaryReader r) => r.ReadUInt64());
            case BuiltInType.Float: return Fill<float>(length, static (ref UaBinaryReader r) => r.ReadFloat());
            case BuiltInType.Double: return Fill<double>(length, static (ref UaBinaryReader r) => r.ReadDouble());
            case BuiltInType.String: return Fill<string?>(length, static (ref UaBinaryReader r) => r.ReadString());
            case BuiltInType.XmlElement: return Fill<string?>(length, static (ref UaBinaryReader r) => r.ReadXmlElement());
            case BuiltInType.DateTime: return Fill<DateTime>(length, static (ref UaBinaryReader r) => r.ReadDateTime());
            case BuiltInType.Guid: return Fill<Guid>(length, static (ref UaBinaryReader r) => r.ReadGuid());
            case BuiltInType.ByteString: return Fill<byte[]?>(length, static (ref UaBinaryReader r) => r.ReadByteString());
            case BuiltInType.NodeId: return Fill<NodeId>(length, static (ref UaBinaryReader r) => r.ReadNodeId());
            case BuiltInType.ExpandedNodeId: return Fill<ExpandedNodeId>(length, static (ref UaBinaryReader r) => r.ReadExpandedNodeId());
            case BuiltInType.StatusCode: return Fill<StatusCode>(length, static (ref UaBinaryReader r) => r.ReadStatusCode());
            case BuiltInType.QualifiedName: return Fill<QualifiedName>(length, static (ref UaBinaryReader r) => r.ReadQualifiedName());
            case BuiltInType.LocalizedText: return Fill<LocalizedText>(length, static (ref UaBinaryReader r) => r.ReadLocalizedText());
            case BuiltInType.ExtensionObject: return Fill<ExtensionObject>(length, static (ref UaBinaryReader r) => r.ReadExtensionObject());
            case BuiltInType.DataValue: return Fill<DataValue>(length, static (ref UaBinaryReader r) => r.ReadDataValue());
            case BuiltInType.Variant: return Fill<Variant>(length, static (ref UaBinaryReader r) => r.ReadVariant());
            case BuiltInType.DiagnosticInfo: return Fill<DiagnosticInfo?>(length, static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
            default:
                OpcUaException.ThrowDecoding($"Variant array of type {type} is not allowed.");
                return null;
        }
    }

    /// <summary>Reads a length-prefixed array of <typeparamref name="T"/> (§5.2.5); null for length -1.</summary>
    public T[]? ReadArray<T>(ElementReader<T> read, int minElementSize = 1)
    {
        var length = ReadArrayLength(minElementSize);
        return length < 0 ? null : Fill(length, read);
    }

    private T[] Fill<T>(int length, ElementReader<T> read)
    {
        var result = length == 0 ? [] : new T[length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = read(ref this);
        }

        return result;
    }

    private static int MinimumSize(BuiltInType type) => type switch
    {
        BuiltInType.Int16 or BuiltInType.UInt16 => 2,
        BuiltInType.Int32 or BuiltInType.UInt32 or BuiltInType.Float or BuiltInType.StatusCode or BuiltInType.String
            or BuiltInType.XmlElement or BuiltInType.ByteString => 4,
        BuiltInType.Int64 or BuiltInType.UInt64 or BuiltInType.Double or BuiltInType.DateTime => 8,
        BuiltInType.Guid => 16,
        _ => 1,
    };
}

/// <summary>Reads one element of an array (static lambdas: no closure).</summary>
public delegate T ElementReader<out T>(ref UaBinaryReader reader);
