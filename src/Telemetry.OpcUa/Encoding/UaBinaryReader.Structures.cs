namespace Telemetry.OpcUa.Encoding;

public ref partial struct UaBinaryReader
{
    /// <summary>
    /// §5.2.2.9 NodeId: an encoding byte, then the identifier in one of six layouts.
    /// <code>
    /// 0x00 TwoByte    | 0x00 | id byte |
    /// 0x01 FourByte   | 0x01 | ns byte | id uint16 |
    /// 0x02 Numeric    | 0x02 | ns uint16 | id uint32 |
    /// 0x03 String     | 0x03 | ns uint16 | String |
    /// 0x04 Guid       | 0x04 | ns uint16 | Guid (16) |
    /// 0x05 ByteString | 0x05 | ns uint16 | ByteString |
    /// </code>
    /// </summary>
    public NodeId ReadNodeId()
    {
        var encoding = ReadByte();
        if ((encoding & 0xC0) != 0)
        {
            OpcUaException.ThrowDecoding($"NodeId encoding byte 0x{encoding:X2} at offset {_position - 1} has ExpandedNodeId flags.");
        }

        return ReadNodeIdBody(encoding);
    }

    /// <summary>
    /// §5.2.2.10 ExpandedNodeId: a NodeId whose encoding byte may carry 0x80 (NamespaceUri String follows) and
    /// 0x40 (ServerIndex uint32 follows).
    /// <code>| encoding | NodeId body | [NamespaceUri String] | [ServerIndex uint32] |</code>
    /// </summary>
    public ExpandedNodeId ReadExpandedNodeId()
    {
        var encoding = ReadByte();
        var nodeId = ReadNodeIdBody((byte)(encoding & 0x3F));
        var uri = (encoding & 0x80) != 0 ? ReadString() : null;
        var server = (encoding & 0x40) != 0 ? ReadUInt32() : 0;
        return new ExpandedNodeId(nodeId, uri, server);
    }

    private NodeId ReadNodeIdBody(byte encoding)
    {
        switch (encoding)
        {
            case 0x00:
                return new NodeId(ReadByte());
            case 0x01:
            {
                var ns = ReadByte();
                return new NodeId(ReadUInt16(), ns);
            }

            case 0x02:
            {
                var ns = ReadUInt16();
                return new NodeId(ReadUInt32(), ns);
            }

            case 0x03:
            {
                var ns = ReadUInt16();
                var text = ReadString();
                if (text is null)
                {
                    OpcUaException.ThrowDecoding($"String NodeId at offset {_position - 4} has a null identifier.");
                }

                return new NodeId(text, ns);
            }

            case 0x04:
            {
                var ns = ReadUInt16();
                return new NodeId(ReadGuid(), ns);
            }

            case 0x05:
            {
                var ns = ReadUInt16();
                return new NodeId(ReadByteString() ?? [], ns);
            }

            default:
                OpcUaException.ThrowDecoding($"NodeId encoding byte 0x{encoding:X2} at offset {_position - 1} is unknown.");
                return default;
        }
    }

    /// <summary>§5.2.2.13 QualifiedName: <c>| NamespaceIndex uint16 | Name String |</c>.</summary>
    public QualifiedName ReadQualifiedName()
    {
        var ns = ReadUInt16();
        return new QualifiedName(ns, ReadString());
    }

    /// <summary>
    /// §5.2.2.14 LocalizedText: <c>| mask byte (0x01 Locale, 0x02 Text) | [Locale String] | [Text String] |</c>.
    /// </summary>
    public LocalizedText ReadLocalizedText()
    {
        var mask = ReadByte();
        var locale = (mask & 0x01) != 0 ? ReadString() : null;
        var text = (mask & 0x02) != 0 ? ReadString() : null;
        return new LocalizedText(locale, text);
    }

    /// <summary>
    /// §5.2.2.12 DiagnosticInfo: a mask byte, then the present fields in this order:
    /// <code>
    /// | mask | [SymbolicId Int32 0x01] | [NamespaceUri Int32 0x02] | [Locale Int32 0x08] | [LocalizedText Int32 0x04] |
    /// | [AdditionalInfo String 0x10] | [InnerStatusCode 0x20] | [InnerDiagnosticInfo 0x40] |
    /// </code>
    /// </summary>
    public DiagnosticInfo? ReadDiagnosticInfo()
    {
        var mask = ReadByte();
        if (mask == 0)
        {
            return null;
        }

        Enter();
        var info = new DiagnosticInfo
        {
            SymbolicId = (mask & 0x01) != 0 ? ReadInt32() : null,
            NamespaceUri = (mask & 0x02) != 0 ? ReadInt32() : null,
            Locale = (mask & 0x08) != 0 ? ReadInt32() : null,
            LocalizedText = (mask & 0x04) != 0 ? ReadInt32() : null,
            AdditionalInfo = (mask & 0x10) != 0 ? ReadString() : null,
            InnerStatusCode = (mask & 0x20) != 0 ? ReadStatusCode() : null,
            InnerDiagnosticInfo = (mask & 0x40) != 0 ? ReadDiagnosticInfo() ?? new DiagnosticInfo() : null,
        };
        Leave();
        return info;
    }

    /// <summary>
    /// §5.2.2.15 ExtensionObject:
    /// <code>| TypeId NodeId | encoding byte (0 none, 1 ByteString, 2 XmlElement) | [Length Int32 | body] |</code>
    /// The body is copied; decode it with the type's own decoder.
    /// </summary>
    public ExtensionObject ReadExtensionObject()
    {
        var typeId = ReadNodeId();
        var encoding = ReadByte();
        switch (encoding)
        {
            case 0:
                return typeId.IsNull ? ExtensionObject.Null : new ExtensionObject(typeId, ExtensionObjectEncoding.None, ReadOnlyMemory<byte>.Empty);
            case 1:
            case 2:
            {
                var length = ReadInt32();
                CheckLength(length, _limits.MaxByteStringLength, "ExtensionObject body length");
                var body = length <= 0 ? ReadOnlyMemory<byte>.Empty : Take(length).ToArray();
                return new ExtensionObject(typeId, (ExtensionObjectEncoding)encoding, body);
            }

            default:
                OpcUaException.ThrowDecoding($"ExtensionObject encoding 0x{encoding:X2} at offset {_position - 1} is unknown.");
                return null!;
        }
    }

    /// <summary>
    /// Reads an ExtensionObject header and returns its binary body as a slice (no copy), for service decoders
    /// that know the type: <c>| TypeId | 0x01 | Length | body |</c>. Returns false for an empty object.
    /// </summary>
    public bool TryReadExtensionObjectBody(out NodeId typeId, out ReadOnlySpan<byte> body)
    {
        typeId = ReadNodeId();
        var encoding = ReadByte();
        if (encoding == 0)
        {
            body = default;
            return false;
        }

        if (encoding > 2)
        {
            OpcUaException.ThrowDecoding($"ExtensionObject encoding 0x{encoding:X2} at offset {_position - 1} is unknown.");
        }

        var length = ReadInt32();
        CheckLength(length, _limits.MaxByteStringLength, "ExtensionObject body length");
        body = length <= 0 ? default : Take(length);
        return encoding == 1;
    }

    /// <summary>Decoding of a nested body with the same limits and the current depth.</summary>
    public readonly UaBinaryReader Nested(ReadOnlySpan<byte> body)
    {
        var reader = new UaBinaryReader(body, _limits);
        reader._depth = _depth + 1;
        if (reader._depth > _limits.MaxNestingDepth)
        {
            OpcUaException.ThrowLimit("Nesting depth", reader._depth, _limits.MaxNestingDepth);
        }

        return reader;
    }
}
