using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Services;

// Discovery service set (OPC 10000-4 §5.4); field order from Opc.Ua.Types.bsd.

/// <summary>ApplicationType (OPC 10000-4 §7.2).</summary>
public enum ApplicationType
{
    Server = 0,
    Client = 1,
    ClientAndServer = 2,
    DiscoveryServer = 3,
}

/// <summary>UserTokenType (OPC 10000-4 §7.43).</summary>
public enum UserTokenType
{
    Anonymous = 0,
    UserName = 1,
    Certificate = 2,
    IssuedToken = 3,
}

/// <summary>ApplicationDescription (OPC 10000-4 §7.2).</summary>
public sealed record ApplicationDescription
{
    public string? ApplicationUri { get; init; }

    public string? ProductUri { get; init; }

    public LocalizedText ApplicationName { get; init; }

    public ApplicationType ApplicationType { get; init; }

    public string? GatewayServerUri { get; init; }

    public string? DiscoveryProfileUri { get; init; }

    public string?[]? DiscoveryUrls { get; init; }

    public static ApplicationDescription Decode(ref UaBinaryReader reader) => new()
    {
        ApplicationUri = reader.ReadString(),
        ProductUri = reader.ReadString(),
        ApplicationName = reader.ReadLocalizedText(),
        ApplicationType = (ApplicationType)reader.ReadInt32(),
        GatewayServerUri = reader.ReadString(),
        DiscoveryProfileUri = reader.ReadString(),
        DiscoveryUrls = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadString(), 4),
    };

    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteString(ApplicationUri);
        writer.WriteString(ProductUri);
        writer.WriteLocalizedText(ApplicationName);
        writer.WriteInt32((int)ApplicationType);
        writer.WriteString(GatewayServerUri);
        writer.WriteString(DiscoveryProfileUri);
        writer.WriteArray(DiscoveryUrls, static (ref UaBinaryWriter w, string? v) => w.WriteString(v));
    }
}

/// <summary>UserTokenPolicy (OPC 10000-4 §7.42).</summary>
public sealed record UserTokenPolicy(string? PolicyId, UserTokenType TokenType, string? IssuedTokenType, string? IssuerEndpointUrl, string? SecurityPolicyUri)
{
    public static UserTokenPolicy Decode(ref UaBinaryReader reader) =>
        new(reader.ReadString(), (UserTokenType)reader.ReadInt32(), reader.ReadString(), reader.ReadString(), reader.ReadString());
}

/// <summary>EndpointDescription (OPC 10000-4 §7.14).</summary>
public sealed record EndpointDescription
{
    public string? EndpointUrl { get; init; }

    public required ApplicationDescription Server { get; init; }

    public byte[]? ServerCertificate { get; init; }

    public MessageSecurityMode SecurityMode { get; init; }

    public string? SecurityPolicyUri { get; init; }

    public UserTokenPolicy[]? UserIdentityTokens { get; init; }

    public string? TransportProfileUri { get; init; }

    public byte SecurityLevel { get; init; }

    /// <summary>"None", "Basic256Sha256 Sign", …: what an operator reads in an error message.</summary>
    public string SecurityName => SecurityMode == MessageSecurityMode.None
        ? "None"
        : $"{SecurityPolicies.ShortName(SecurityPolicyUri)} {SecurityMode}";

    public static EndpointDescription Decode(ref UaBinaryReader reader) => new()
    {
        EndpointUrl = reader.ReadString(),
        Server = ApplicationDescription.Decode(ref reader),
        ServerCertificate = reader.ReadByteString(),
        SecurityMode = (MessageSecurityMode)reader.ReadInt32(),
        SecurityPolicyUri = reader.ReadString(),
        UserIdentityTokens = reader.ReadArray(static (ref UaBinaryReader r) => UserTokenPolicy.Decode(ref r), 20),
        TransportProfileUri = reader.ReadString(),
        SecurityLevel = reader.ReadByte(),
    };
}

/// <summary>GetEndpointsRequest (OPC 10000-4 §5.4.4).</summary>
public sealed class GetEndpointsRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.GetEndpointsRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public string? EndpointUrl { get; init; }

    public string?[]? LocaleIds { get; init; }

    public string?[]? ProfileUris { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteString(EndpointUrl);
        writer.WriteArray(LocaleIds, static (ref UaBinaryWriter w, string? v) => w.WriteString(v));
        writer.WriteArray(ProfileUris, static (ref UaBinaryWriter w, string? v) => w.WriteString(v));
    }
}

/// <summary>GetEndpointsResponse (OPC 10000-4 §5.4.4).</summary>
public sealed class GetEndpointsResponse : IServiceResponse<GetEndpointsResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.GetEndpointsResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public EndpointDescription[] Endpoints { get; init; } = [];

    public static GetEndpointsResponse Decode(ref UaBinaryReader reader) => new()
    {
        ResponseHeader = ResponseHeader.Decode(ref reader),
        Endpoints = reader.ReadArray(static (ref UaBinaryReader r) => EndpointDescription.Decode(ref r), 30) ?? [],
    };
}

/// <summary>FindServersRequest (OPC 10000-4 §5.4.2).</summary>
public sealed class FindServersRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.FindServersRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public string? EndpointUrl { get; init; }

    public string?[]? LocaleIds { get; init; }

    public string?[]? ServerUris { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteString(EndpointUrl);
        writer.WriteArray(LocaleIds, static (ref UaBinaryWriter w, string? v) => w.WriteString(v));
        writer.WriteArray(ServerUris, static (ref UaBinaryWriter w, string? v) => w.WriteString(v));
    }
}

/// <summary>FindServersResponse (OPC 10000-4 §5.4.2).</summary>
public sealed class FindServersResponse : IServiceResponse<FindServersResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.FindServersResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public ApplicationDescription[] Servers { get; init; } = [];

    public static FindServersResponse Decode(ref UaBinaryReader reader) => new()
    {
        ResponseHeader = ResponseHeader.Decode(ref reader),
        Servers = reader.ReadArray(static (ref UaBinaryReader r) => ApplicationDescription.Decode(ref r), 20) ?? [],
    };
}
