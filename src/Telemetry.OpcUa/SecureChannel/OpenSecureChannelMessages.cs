using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.SecureChannel;

/// <summary>MessageSecurityMode (OPC 10000-4 §7.20).</summary>
public enum MessageSecurityMode
{
    Invalid = 0,
    None = 1,
    Sign = 2,
    SignAndEncrypt = 3,
}

/// <summary>SecurityTokenRequestType (OPC 10000-4 §5.5.2.2).</summary>
public enum SecurityTokenRequestType
{
    Issue = 0,
    Renew = 1,
}

/// <summary>ChannelSecurityToken (OPC 10000-4 §5.5.2.2): <c>| ChannelId u32 | TokenId u32 | CreatedAt DateTime | RevisedLifetime u32 ms |</c>.</summary>
public sealed record ChannelSecurityToken(uint ChannelId, uint TokenId, DateTime CreatedAt, uint RevisedLifetime);

/// <summary>OpenSecureChannelRequest (OPC 10000-4 §5.5.2.2; field order from Opc.Ua.Types.bsd).</summary>
public sealed class OpenSecureChannelRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.OpenSecureChannelRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public uint ClientProtocolVersion { get; init; }

    public SecurityTokenRequestType RequestType { get; init; }

    public MessageSecurityMode SecurityMode { get; init; } = MessageSecurityMode.None;

    public byte[]? ClientNonce { get; init; }

    public uint RequestedLifetime { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteUInt32(ClientProtocolVersion);
        writer.WriteInt32((int)RequestType);
        writer.WriteInt32((int)SecurityMode);
        writer.WriteByteString(ClientNonce);
        writer.WriteUInt32(RequestedLifetime);
    }
}

/// <summary>OpenSecureChannelResponse (OPC 10000-4 §5.5.2.2).</summary>
public sealed class OpenSecureChannelResponse : IServiceResponse<OpenSecureChannelResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.OpenSecureChannelResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public uint ServerProtocolVersion { get; init; }

    public required ChannelSecurityToken SecurityToken { get; init; }

    public byte[]? ServerNonce { get; init; }

    public static OpenSecureChannelResponse Decode(ref UaBinaryReader reader) => new()
    {
        ResponseHeader = ResponseHeader.Decode(ref reader),
        ServerProtocolVersion = reader.ReadUInt32(),
        SecurityToken = new ChannelSecurityToken(reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadDateTime(), reader.ReadUInt32()),
        ServerNonce = reader.ReadByteString(),
    };
}

/// <summary>CloseSecureChannelRequest (OPC 10000-4 §5.5.3.2): only a header; the server answers by closing.</summary>
public sealed class CloseSecureChannelRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.CloseSecureChannelRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public void Encode(ref UaBinaryWriter writer) => RequestHeader.Encode(ref writer);
}
