using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.SecureChannel;

/// <summary>A service request: its header plus its own fields, written after its DefaultBinary encoding id.</summary>
public interface IServiceRequest : IUaEncodable
{
    RequestHeader RequestHeader { get; }
}

/// <summary>A service response type: decodes itself from the body that follows its encoding id.</summary>
public interface IServiceResponse<TSelf>
    where TSelf : IServiceResponse<TSelf>
{
    static abstract uint BinaryEncodingId { get; }

    static abstract TSelf Decode(ref UaBinaryReader reader);

    ResponseHeader ResponseHeader { get; }
}

/// <summary>RequestHeader (OPC 10000-4 §7.33; field order from Opc.Ua.Types.bsd).</summary>
public sealed class RequestHeader
{
    public NodeId AuthenticationToken { get; set; }

    public DateTime Timestamp { get; set; }

    public uint RequestHandle { get; set; }

    public uint ReturnDiagnostics { get; set; }

    public string? AuditEntryId { get; set; }

    /// <summary>Milliseconds the client waits; the server may drop the request after it.</summary>
    public uint TimeoutHint { get; set; }

    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteNodeId(AuthenticationToken);
        writer.WriteDateTime(Timestamp);
        writer.WriteUInt32(RequestHandle);
        writer.WriteUInt32(ReturnDiagnostics);
        writer.WriteString(AuditEntryId);
        writer.WriteUInt32(TimeoutHint);
        writer.WriteExtensionObject(null);
    }
}

/// <summary>ResponseHeader (OPC 10000-4 §7.34).</summary>
public sealed class ResponseHeader
{
    public DateTime Timestamp { get; init; }

    public uint RequestHandle { get; init; }

    public StatusCode ServiceResult { get; init; }

    public DiagnosticInfo? ServiceDiagnostics { get; init; }

    public string?[]? StringTable { get; init; }

    public static ResponseHeader Decode(ref UaBinaryReader reader)
    {
        var header = new ResponseHeader
        {
            Timestamp = reader.ReadDateTime(),
            RequestHandle = reader.ReadUInt32(),
            ServiceResult = reader.ReadStatusCode(),
            ServiceDiagnostics = reader.ReadDiagnosticInfo(),
            StringTable = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadString(), 4),
        };
        reader.ReadExtensionObject(); // AdditionalHeader: not used
        return header;
    }
}

/// <summary>ServiceFault (OPC 10000-4 §7.35): the response to any request that failed as a whole.</summary>
public sealed class ServiceFault : IServiceResponse<ServiceFault>
{
    public static uint BinaryEncodingId => UaNodeIds.ServiceFault_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public static ServiceFault Decode(ref UaBinaryReader reader) => new() { ResponseHeader = ResponseHeader.Decode(ref reader) };
}
