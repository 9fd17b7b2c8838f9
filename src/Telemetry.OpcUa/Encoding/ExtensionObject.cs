namespace Telemetry.OpcUa.Encoding;

/// <summary>How an <see cref="ExtensionObject"/>'s body is encoded (OPC 10000-6 §5.2.2.15).</summary>
public enum ExtensionObjectEncoding : byte
{
    None = 0,
    Binary = 1,
    Xml = 2,
}

/// <summary>
/// A structure carried as type id + encoded body (OPC 10000-6 §5.2.2.15). The codec keeps the body as bytes;
/// the service layer or a <c>StructureDecoder</c> built from the server's DataTypeDefinition turns it into
/// fields. When <see cref="Encodable"/> is set the writer encodes it (its binary encoding id as the type id).
/// </summary>
public sealed class ExtensionObject
{
    public ExtensionObject(NodeId typeId, ExtensionObjectEncoding encoding, ReadOnlyMemory<byte> body)
    {
        TypeId = typeId;
        Encoding = encoding;
        Body = body;
    }

    public ExtensionObject(IUaEncodable encodable)
    {
        ArgumentNullException.ThrowIfNull(encodable);
        Encodable = encodable;
        TypeId = encodable.BinaryEncodingId;
        Encoding = ExtensionObjectEncoding.Binary;
    }

    public static ExtensionObject Null { get; } = new(NodeId.Null, ExtensionObjectEncoding.None, ReadOnlyMemory<byte>.Empty);

    public NodeId TypeId { get; }

    public ExtensionObjectEncoding Encoding { get; }

    /// <summary>The binary body (Binary) or UTF-8 XML (Xml); empty for None.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    public IUaEncodable? Encodable { get; }

    public bool IsNull => TypeId.IsNull && Encoding == ExtensionObjectEncoding.None;

    public override string ToString() => $"ExtensionObject({TypeId}, {Encoding}, {Body.Length} B)";
}

/// <summary>A structure that can write its own binary body (service messages, filters, identity tokens).</summary>
public interface IUaEncodable
{
    /// <summary>The DefaultBinary encoding node id (NodeIds.csv "…_Encoding_DefaultBinary").</summary>
    NodeId BinaryEncodingId { get; }

    void Encode(ref UaBinaryWriter writer);
}
