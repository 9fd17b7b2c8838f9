using System.Buffers;

namespace Telemetry.OpcUa.Encoding;

public ref partial struct UaBinaryWriter
{
    /// <summary>§5.2.2.9 NodeId in its most compact layout (see <see cref="UaBinaryReader.ReadNodeId"/>).</summary>
    public void WriteNodeId(NodeId value) => WriteNodeIdBody(value, 0);

    /// <summary>§5.2.2.10 ExpandedNodeId: NodeId with 0x80 (NamespaceUri) / 0x40 (ServerIndex) flags.</summary>
    public void WriteExpandedNodeId(ExpandedNodeId value)
    {
        byte flags = 0;
        if (value.NamespaceUri is not null)
        {
            flags |= 0x80;
        }

        if (value.ServerIndex != 0)
        {
            flags |= 0x40;
        }

        WriteNodeIdBody(value.NodeId, flags);
        if (value.NamespaceUri is not null)
        {
            WriteString(value.NamespaceUri);
        }

        if (value.ServerIndex != 0)
        {
            WriteUInt32(value.ServerIndex);
        }
    }

    private void WriteNodeIdBody(NodeId value, byte flags)
    {
        switch (value.IdType)
        {
            case NodeIdType.Numeric when value.NamespaceIndex == 0 && value.NumericIdentifier <= byte.MaxValue:
                WriteByte(flags);
                WriteByte((byte)value.NumericIdentifier);
                break;
            case NodeIdType.Numeric when value.NamespaceIndex <= byte.MaxValue && value.NumericIdentifier <= ushort.MaxValue:
                WriteByte((byte)(0x01 | flags));
                WriteByte((byte)value.NamespaceIndex);
                WriteUInt16((ushort)value.NumericIdentifier);
                break;
            case NodeIdType.Numeric:
                WriteByte((byte)(0x02 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteUInt32(value.NumericIdentifier);
                break;
            case NodeIdType.String:
                WriteByte((byte)(0x03 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteString(value.StringIdentifier);
                break;
            case NodeIdType.Guid:
                WriteByte((byte)(0x04 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteGuid(value.GuidIdentifier);
                break;
            default:
                WriteByte((byte)(0x05 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteByteString(value.OpaqueIdentifier);
                break;
        }
    }

    public void WriteQualifiedName(QualifiedName value)
    {
        WriteUInt16(value.NamespaceIndex);
        WriteString(value.Name);
    }

    public void WriteLocalizedText(LocalizedText value)
    {
        var mask = (byte)((value.Locale is null ? 0 : 0x01) | (value.Text is null ? 0 : 0x02));
        WriteByte(mask);
        if (value.Locale is not null)
        {
            WriteString(value.Locale);
        }

        if (value.Text is not null)
        {
            WriteString(value.Text);
        }
    }

    public void WriteDiagnosticInfo(DiagnosticInfo? value)
    {
        if (value is null)
        {
            WriteByte(0);
            return;
        }

        var mask = (byte)((value.SymbolicId is null ? 0 : 0x01) | (value.NamespaceUri is null ? 0 : 0x02)
            | (value.LocalizedText is null ? 0 : 0x04) | (value.Locale is null ? 0 : 0x08)
            | (value.AdditionalInfo is null ? 0 : 0x10) | (value.InnerStatusCode is null ? 0 : 0x20)
            | (value.InnerDiagnosticInfo is null ? 0 : 0x40));
        WriteByte(mask);
        if (value.SymbolicId is { } symbolicId)
        {
            WriteInt32(symbolicId);
        }

        if (value.NamespaceUri is { } namespaceUri)
        {
            WriteInt32(namespaceUri);
        }

        if (value.Locale is { } locale)
        {
            WriteInt32(locale);
        }

        if (value.LocalizedText is { } localizedText)
        {
            WriteInt32(localizedText);
        }

        if (value.AdditionalInfo is not null)
        {
            WriteString(value.AdditionalInfo);
        }

        if (value.InnerStatusCode is { } inner)
        {
            WriteStatusCode(inner);
        }

        if (value.InnerDiagnosticInfo is not null)
        {
            WriteDiagnosticInfo(value.InnerDiagnosticInfo);
        }
    }

    /// <summary>§5.2.2.15 ExtensionObject; an <see cref="IUaEncodable"/> body is encoded first to learn its length.</summary>
    public void WriteExtensionObject(ExtensionObject? value)
    {
        if (value is null || value.IsNull)
        {
            WriteNodeId(NodeId.Null);
            WriteByte(0);
            return;
        }

        WriteNodeId(value.TypeId);
        if (value.Encodable is { } encodable)
        {
            WriteEncodable(encodable);
            return;
        }

        WriteByte((byte)value.Encoding);
        if (value.Encoding != ExtensionObjectEncoding.None)
        {
            WriteInt32(value.Body.Length);
            WriteRaw(value.Body.Span);
        }
    }

    /// <summary>Encoding byte 0x01, Int32 length, body: the body of an encodable in an ExtensionObject.</summary>
    public void WriteEncodable(IUaEncodable encodable)
    {
        ArgumentNullException.ThrowIfNull(encodable);
        var body = new ArrayBufferWriter<byte>(64);
        var inner = new UaBinaryWriter(body);
        encodable.Encode(ref inner);
        WriteByte(1);
        WriteInt32(body.WrittenCount);
        WriteRaw(body.WrittenSpan);
    }
}
