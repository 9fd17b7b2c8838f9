using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Services;

// Session service set (OPC 10000-4 §5.6); field order from Opc.Ua.Types.bsd.

/// <summary>SignatureData (OPC 10000-4 §7.36): <c>| Algorithm String | Signature ByteString |</c>.</summary>
public sealed record SignatureData(string? Algorithm, byte[]? Signature)
{
    public static readonly SignatureData Empty = new(null, null);

    public static SignatureData Decode(ref UaBinaryReader reader) => new(reader.ReadString(), reader.ReadByteString());

    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteString(Algorithm);
        writer.WriteByteString(Signature);
    }
}

/// <summary>CreateSessionRequest (OPC 10000-4 §5.6.2).</summary>
public sealed class CreateSessionRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.CreateSessionRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public required ApplicationDescription ClientDescription { get; init; }

    public string? ServerUri { get; init; }

    public string? EndpointUrl { get; init; }

    public string? SessionName { get; init; }

    public byte[]? ClientNonce { get; init; }

    public byte[]? ClientCertificate { get; init; }

    public double RequestedSessionTimeout { get; init; }

    public uint MaxResponseMessageSize { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        ClientDescription.Encode(ref writer);
        writer.WriteString(ServerUri);
        writer.WriteString(EndpointUrl);
        writer.WriteString(SessionName);
        writer.WriteByteString(ClientNonce);
        writer.WriteByteString(ClientCertificate);
        writer.WriteDouble(RequestedSessionTimeout);
        writer.WriteUInt32(MaxResponseMessageSize);
    }
}

/// <summary>CreateSessionResponse (OPC 10000-4 §5.6.2).</summary>
public sealed class CreateSessionResponse : IServiceResponse<CreateSessionResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.CreateSessionResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public NodeId SessionId { get; init; }

    public NodeId AuthenticationToken { get; init; }

    public double RevisedSessionTimeout { get; init; }

    public byte[]? ServerNonce { get; init; }

    public byte[]? ServerCertificate { get; init; }

    public EndpointDescription[] ServerEndpoints { get; init; } = [];

    public SignatureData ServerSignature { get; init; } = SignatureData.Empty;

    public uint MaxRequestMessageSize { get; init; }

    public static CreateSessionResponse Decode(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var sessionId = reader.ReadNodeId();
        var token = reader.ReadNodeId();
        var timeout = reader.ReadDouble();
        var nonce = reader.ReadByteString();
        var certificate = reader.ReadByteString();
        var endpoints = reader.ReadArray(static (ref UaBinaryReader r) => EndpointDescription.Decode(ref r), 30) ?? [];
        // ServerSoftwareCertificates: SignedSoftwareCertificate[] (CertificateData, Signature), unused
        reader.ReadArray(static (ref UaBinaryReader r) => (r.ReadByteString(), r.ReadByteString()), 8);
        return new CreateSessionResponse
        {
            ResponseHeader = header,
            SessionId = sessionId,
            AuthenticationToken = token,
            RevisedSessionTimeout = timeout,
            ServerNonce = nonce,
            ServerCertificate = certificate,
            ServerEndpoints = endpoints,
            ServerSignature = SignatureData.Decode(ref reader),
            MaxRequestMessageSize = reader.ReadUInt32(),
        };
    }
}

/// <summary>AnonymousIdentityToken (OPC 10000-4 §7.41.3): <c>| PolicyId String |</c>.</summary>
public sealed class AnonymousIdentityToken(string? policyId) : IUaEncodable
{
    public NodeId BinaryEncodingId => UaNodeIds.AnonymousIdentityToken_Encoding_DefaultBinary;

    public string? PolicyId { get; } = policyId;

    public void Encode(ref UaBinaryWriter writer) => writer.WriteString(PolicyId);
}

/// <summary>UserNameIdentityToken (OPC 10000-4 §7.41.4): <c>| PolicyId | UserName | Password ByteString | EncryptionAlgorithm |</c>.</summary>
public sealed class UserNameIdentityToken(string? policyId, string userName, byte[] password, string? encryptionAlgorithm) : IUaEncodable
{
    public NodeId BinaryEncodingId => UaNodeIds.UserNameIdentityToken_Encoding_DefaultBinary;

    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteString(policyId);
        writer.WriteString(userName);
        writer.WriteByteString(password);
        writer.WriteString(encryptionAlgorithm);
    }
}

/// <summary>X509IdentityToken (OPC 10000-4 §7.41.5): <c>| PolicyId String | CertificateData ByteString |</c>.</summary>
public sealed class X509IdentityToken(string? policyId, byte[] certificateData) : IUaEncodable
{
    public NodeId BinaryEncodingId => UaNodeIds.X509IdentityToken_Encoding_DefaultBinary;

    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteString(policyId);
        writer.WriteByteString(certificateData);
    }
}

/// <summary>ActivateSessionRequest (OPC 10000-4 §5.6.3).</summary>
public sealed class ActivateSessionRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.ActivateSessionRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public SignatureData ClientSignature { get; init; } = SignatureData.Empty;

    public string?[]? LocaleIds { get; init; }

    public required IUaEncodable UserIdentityToken { get; init; }

    public SignatureData UserTokenSignature { get; init; } = SignatureData.Empty;

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        ClientSignature.Encode(ref writer);
        writer.WriteInt32(-1); // ClientSoftwareCertificates
        writer.WriteArray(LocaleIds, static (ref UaBinaryWriter w, string? v) => w.WriteString(v));
        writer.WriteExtensionObject(new ExtensionObject(UserIdentityToken));
        UserTokenSignature.Encode(ref writer);
    }
}

/// <summary>ActivateSessionResponse (OPC 10000-4 §5.6.3).</summary>
public sealed class ActivateSessionResponse : IServiceResponse<ActivateSessionResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.ActivateSessionResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public byte[]? ServerNonce { get; init; }

    public StatusCode[]? Results { get; init; }

    public static ActivateSessionResponse Decode(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var nonce = reader.ReadByteString();
        var results = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadStatusCode(), 4);
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return new ActivateSessionResponse { ResponseHeader = header, ServerNonce = nonce, Results = results };
    }
}

/// <summary>CloseSessionRequest (OPC 10000-4 §5.6.4).</summary>
public sealed class CloseSessionRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.CloseSessionRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public bool DeleteSubscriptions { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteBoolean(DeleteSubscriptions);
    }
}

/// <summary>CloseSessionResponse (OPC 10000-4 §5.6.4).</summary>
public sealed class CloseSessionResponse : IServiceResponse<CloseSessionResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.CloseSessionResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public static CloseSessionResponse Decode(ref UaBinaryReader reader) => new() { ResponseHeader = ResponseHeader.Decode(ref reader) };
}
