namespace Telemetry.OpcUa.Encoding;

public ref partial struct UaBinaryWriter
{
    /// <summary>§5.2.2.17 DataValue (layout drawn at <see cref="UaBinaryReader.ReadDataValue"/>).</summary>
    public void WriteDataValue(DataValue value)
    {
        var mask = (byte)((value.Value.IsNull ? 0 : 0x01) | (value.StatusCode.Code == 0 ? 0 : 0x02)
            | (value.SourceTimestamp == default ? 0 : 0x04) | (value.ServerTimestamp == default ? 0 : 0x08)
            | (value.SourcePicoseconds == 0 ? 0 : 0x10) | (value.ServerPicoseconds == 0 ? 0 : 0x20));
        WriteByte(mask);
        if (!value.Value.IsNull)
        {
            WriteVariant(value.Value);
        }

        if (value.StatusCode.Code != 0)
        {
            WriteStatusCode(value.StatusCode);
        }

        if (value.SourceTimestamp != default)
        {
            WriteDateTime(value.SourceTimestamp);
        }

        if (value.SourcePicoseconds != 0)
        {
            WriteUInt16(value.SourcePicoseconds);
        }

        if (value.ServerTimestamp != default)
        {
            WriteDateTime(value.ServerTimestamp);
        }

        if (value.ServerPicoseconds != 0)
        {
            WriteUInt16(value.ServerPicoseconds);
        }
    }

    /// <summary>§5.2.2.16 Variant (layout drawn at <see cref="UaBinaryReader.ReadVariant"/>).</summary>
    public void WriteVariant(Variant value)
    {
        if (value.IsNull)
        {
            WriteByte(0);
            return;
        }

        var type = value.Type;
        if (!value.IsArray)
        {
            WriteByte((byte)type);
            WriteScalar(value);
            return;
        }

        var dimensions = value.Dimensions;
        WriteByte((byte)((byte)type | 0x80 | (dimensions is null ? 0 : 0x40)));
        WriteArrayOf(type, value.ArrayValue);
        if (dimensions is not null)
        {
            WriteInt32(dimensions.Length);
            foreach (var d in dimensions)
            {
                WriteInt32(d);
            }
        }
    }

    private void WriteScalar(Variant value)
    {
        switch (value.Type)
        {
            case BuiltInType.Boolean: WriteBoolean(value.AsBoolean()); break;
            case BuiltInType.SByte: WriteSByte((sbyte)value.Bits); break;
            case BuiltInType.Byte: WriteByte((byte)value.Bits); break;
            case BuiltInType.Int16: WriteInt16((short)value.Bits); break;
            case BuiltInType.UInt16: WriteUInt16((ushort)value.Bits); break;
            case BuiltInType.Int32: WriteInt32((int)value.Bits); break;
            case BuiltInType.UInt32: WriteUInt32((uint)value.Bits); break;
            case BuiltInType.Int64: WriteInt64(value.Bits); break;
            case BuiltInType.UInt64: WriteUInt64((ulong)value.Bits); break;
            case BuiltInType.Float: WriteFloat(value.AsFloat()); break;
            case BuiltInType.Double: WriteDouble(value.AsDouble()); break;
            case BuiltInType.DateTime: WriteDateTime(value.AsDateTime()); break;
            case BuiltInType.StatusCode: WriteStatusCode(value.AsStatusCode()); break;
            case BuiltInType.String: WriteString((string?)value.Reference); break;
            case BuiltInType.XmlElement: WriteXmlElement((string?)value.Reference); break;
            case BuiltInType.Guid: WriteGuid((Guid)value.Reference!); break;
            case BuiltInType.ByteString: WriteByteString((byte[]?)value.Reference); break;
            case BuiltInType.NodeId: WriteNodeId((NodeId)value.Reference!); break;
            case BuiltInType.ExpandedNodeId: WriteExpandedNodeId((ExpandedNodeId)value.Reference!); break;
            case BuiltInType.QualifiedName: WriteQualifiedName((QualifiedName)value.Reference!); break;
            case BuiltInType.LocalizedText: WriteLocalizedText((LocalizedText)value.Reference!); break;
            case BuiltInType.ExtensionObject: WriteExtensionObject((ExtensionObject?)value.Reference); break;
            case BuiltInType.DataValue: WriteDataValue((DataValue)value.Reference!); break;
            case BuiltInType.DiagnosticInfo: WriteDiagnosticInfo((DiagnosticInfo?)value.Reference); break;
            default: throw new InvalidOperationException($"A scalar Variant cannot hold {value.Type}.");
        }
    }

    private void WriteArrayOf(BuiltInType type, Array? array)
    {
        switch (type)
        {
            case BuiltInType.Boolean: WriteArray((bool[]?)array, static (ref UaBinaryWriter w, bool v) => w.WriteBoolean(v)); break;
            case BuiltInType.SByte: WriteArray((sbyte[]?)array, static (ref UaBinaryWriter w, sbyte v) => w.WriteSByte(v)); break;
            case BuiltInType.Byte: WriteByteString((byte[]?)array); break;
            case BuiltInType.Int16: WriteArray((short[]?)array, static (ref UaBinaryWriter w, short v) => w.WriteInt16(v)); break;
            case BuiltInType.UInt16: WriteArray((ushort[]?)array, static (ref UaBinaryWriter w, ushort v) => w.WriteUInt16(v)); break;
            case BuiltInType.Int32: WriteArray((int[]?)array, static (ref UaBinaryWriter w, int v) => w.WriteInt32(v)); break;
            case BuiltInType.UInt32: WriteArray((uint[]?)array, static (ref UaBinaryWriter w, uint v) => w.WriteUInt32(v)); break;
            case BuiltInType.Int64: WriteArray((long[]?)array, static (ref UaBinaryWriter w, long v) => w.WriteInt64(v)); break;
            case BuiltInType.UInt64: WriteArray((ulong[]?)array, static (ref UaBinaryWriter w, ulong v) => w.WriteUInt64(v)); break;
            case BuiltInType.Float: WriteArray((float[]?)array, static (ref UaBinaryWriter w, float v) => w.WriteFloat(v)); break;
            case BuiltInType.Double: WriteArray((double[]?)array, static (ref UaBinaryWriter w, double v) => w.WriteDouble(v)); break;
            case BuiltInType.String or BuiltInType.XmlElement: WriteArray((string?[]?)array, static (ref UaBinaryWriter w, string? v) => w.WriteString(v)); break;
            case BuiltInType.DateTime: WriteArray((DateTime[]?)array, static (ref UaBinaryWriter w, DateTime v) => w.WriteDateTime(v)); break;
            case BuiltInType.Guid: WriteArray((Guid[]?)array, static (ref UaBinaryWriter w, Guid v) => w.WriteGuid(v)); break;
            case BuiltInType.ByteString: WriteArray((byte[]?[]?)array, static (ref UaBinaryWriter w, byte[]? v) => w.WriteByteString(v)); break;
            case BuiltInType.NodeId: WriteArray((NodeId[]?)array, static (ref UaBinaryWriter w, NodeId v) => w.WriteNodeId(v)); break;
            case BuiltInType.ExpandedNodeId: WriteArray((ExpandedNodeId[]?)array, static (ref UaBinaryWriter w, ExpandedNodeId v) => w.WriteExpandedNodeId(v)); break;
            case BuiltInType.StatusCode: WriteArray((StatusCode[]?)array, static (ref UaBinaryWriter w, StatusCode v) => w.WriteStatusCode(v)); break;
            case BuiltInType.QualifiedName: WriteArray((QualifiedName[]?)array, static (ref UaBinaryWriter w, QualifiedName v) => w.WriteQualifiedName(v)); break;
            case BuiltInType.LocalizedText: WriteArray((LocalizedText[]?)array, static (ref UaBinaryWriter w, LocalizedText v) => w.WriteLocalizedText(v)); break;
            case BuiltInType.ExtensionObject: WriteArray((ExtensionObject[]?)array, static (ref UaBinaryWriter w, ExtensionObject v) => w.WriteExtensionObject(v)); break;
            case BuiltInType.DataValue: WriteArray((DataValue[]?)array, static (ref UaBinaryWriter w, DataValue v) => w.WriteDataValue(v)); break;
            case BuiltInType.Variant: WriteArray((Variant[]?)array, static (ref UaBinaryWriter w, Variant v) => w.WriteVariant(v)); break;
            case BuiltInType.DiagnosticInfo: WriteArray((DiagnosticInfo?[]?)array, static (ref UaBinaryWriter w, DiagnosticInfo? v) => w.WriteDiagnosticInfo(v)); break;
            default: throw new InvalidOperationException($"A Variant array cannot hold {type}.");
        }
    }
}
