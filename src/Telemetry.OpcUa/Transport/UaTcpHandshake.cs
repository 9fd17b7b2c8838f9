using System.Buffers;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Transport;

/// <summary>
/// HEL (OPC 10000-6 §7.1.2.3), sent by the client first:
/// <code>
/// | header 8 | ProtocolVersion u32 | ReceiveBufferSize u32 | SendBufferSize u32 | MaxMessageSize u32 | MaxChunkCount u32 | EndpointUrl String |
/// </code>
/// </summary>
public sealed record HelloMessage(uint ProtocolVersion, uint ReceiveBufferSize, uint SendBufferSize, uint MaxMessageSize, uint MaxChunkCount, string EndpointUrl)
{
    public byte[] Encode()
    {
        var body = new ArrayBufferWriter<byte>(64);
        var writer = new UaBinaryWriter(body);
        writer.WriteUInt32(ProtocolVersion);
        writer.WriteUInt32(ReceiveBufferSize);
        writer.WriteUInt32(SendBufferSize);
        writer.WriteUInt32(MaxMessageSize);
        writer.WriteUInt32(MaxChunkCount);
        writer.WriteString(EndpointUrl);
        var message = new byte[UaTcpMessageHeader.Size + body.WrittenCount];
        new UaTcpMessageHeader(UaTcpMessageType.Hello, UaTcpMessageHeader.Final, (uint)message.Length).Write(message);
        body.WrittenSpan.CopyTo(message.AsSpan(UaTcpMessageHeader.Size));
        return message;
    }
}

/// <summary>
/// ACK (OPC 10000-6 §7.1.2.4), the server's revised sizes (0 = no limit for MaxMessageSize / MaxChunkCount):
/// <code>
/// | header 8 | ProtocolVersion u32 | ReceiveBufferSize u32 | SendBufferSize u32 | MaxMessageSize u32 | MaxChunkCount u32 |
/// </code>
/// </summary>
public sealed record AcknowledgeMessage(uint ProtocolVersion, uint ReceiveBufferSize, uint SendBufferSize, uint MaxMessageSize, uint MaxChunkCount)
{
    public static AcknowledgeMessage Decode(ReadOnlySpan<byte> body)
    {
        var reader = new UaBinaryReader(body);
        return new AcknowledgeMessage(reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32());
    }
}

/// <summary>ERR (OPC 10000-6 §7.1.2.5): <c>| header 8 | Error StatusCode u32 | Reason String |</c>. Also the body of an abort chunk.</summary>
public sealed record ErrorMessage(StatusCode Error, string? Reason)
{
    public static ErrorMessage Decode(ReadOnlySpan<byte> body)
    {
        var reader = new UaBinaryReader(body, UaLimits.Default with { MaxStringLength = 4096 });
        return new ErrorMessage(reader.ReadStatusCode(), reader.ReadString());
    }

    public OpcUaException ToException(string where) =>
        new(Error.IsBad ? Error : new StatusCode(StatusCodes.BadCommunicationError), $"{where}: the server sent an error: {Reason ?? Error.Description}");
}

/// <summary>The sizes both sides agreed on in HEL/ACK (what we may send, what we accept).</summary>
public sealed record NegotiatedLimits(int SendChunkSize, int ReceiveChunkSize, int MaxSendMessageSize, int MaxSendChunkCount, int MaxReceiveMessageSize, int MaxReceiveChunkCount);
