using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Services;

// Subscription service set (OPC 10000-4 §5.14); field order from Opc.Ua.Types.bsd.

/// <summary>CreateSubscriptionRequest (OPC 10000-4 §5.14.2).</summary>
public sealed class CreateSubscriptionRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.CreateSubscriptionRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public double RequestedPublishingInterval { get; init; }

    public uint RequestedLifetimeCount { get; init; }

    public uint RequestedMaxKeepAliveCount { get; init; }

    public uint MaxNotificationsPerPublish { get; init; }

    public bool PublishingEnabled { get; init; } = true;

    public byte Priority { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteDouble(RequestedPublishingInterval);
        writer.WriteUInt32(RequestedLifetimeCount);
        writer.WriteUInt32(RequestedMaxKeepAliveCount);
        writer.WriteUInt32(MaxNotificationsPerPublish);
        writer.WriteBoolean(PublishingEnabled);
        writer.WriteByte(Priority);
    }
}

/// <summary>CreateSubscriptionResponse (OPC 10000-4 §5.14.2).</summary>
public sealed class CreateSubscriptionResponse : IServiceResponse<CreateSubscriptionResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.CreateSubscriptionResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public uint SubscriptionId { get; init; }

    public double RevisedPublishingInterval { get; init; }

    public uint RevisedLifetimeCount { get; init; }

    public uint RevisedMaxKeepAliveCount { get; init; }

    public static CreateSubscriptionResponse Decode(ref UaBinaryReader reader) => new()
    {
        ResponseHeader = ResponseHeader.Decode(ref reader),
        SubscriptionId = reader.ReadUInt32(),
        RevisedPublishingInterval = reader.ReadDouble(),
        RevisedLifetimeCount = reader.ReadUInt32(),
        RevisedMaxKeepAliveCount = reader.ReadUInt32(),
    };
}

/// <summary>ModifySubscriptionRequest (OPC 10000-4 §5.14.3).</summary>
public sealed class ModifySubscriptionRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.ModifySubscriptionRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public uint SubscriptionId { get; init; }

    public double RequestedPublishingInterval { get; init; }

    public uint RequestedLifetimeCount { get; init; }

    public uint RequestedMaxKeepAliveCount { get; init; }

    public uint MaxNotificationsPerPublish { get; init; }

    public byte Priority { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteUInt32(SubscriptionId);
        writer.WriteDouble(RequestedPublishingInterval);
        writer.WriteUInt32(RequestedLifetimeCount);
        writer.WriteUInt32(RequestedMaxKeepAliveCount);
        writer.WriteUInt32(MaxNotificationsPerPublish);
        writer.WriteByte(Priority);
    }
}

/// <summary>ModifySubscriptionResponse (OPC 10000-4 §5.14.3).</summary>
public sealed class ModifySubscriptionResponse : IServiceResponse<ModifySubscriptionResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.ModifySubscriptionResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public double RevisedPublishingInterval { get; init; }

    public uint RevisedLifetimeCount { get; init; }

    public uint RevisedMaxKeepAliveCount { get; init; }

    public static ModifySubscriptionResponse Decode(ref UaBinaryReader reader) => new()
    {
        ResponseHeader = ResponseHeader.Decode(ref reader),
        RevisedPublishingInterval = reader.ReadDouble(),
        RevisedLifetimeCount = reader.ReadUInt32(),
        RevisedMaxKeepAliveCount = reader.ReadUInt32(),
    };
}

/// <summary>DeleteSubscriptionsRequest (OPC 10000-4 §5.14.8).</summary>
public sealed class DeleteSubscriptionsRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.DeleteSubscriptionsRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public required uint[] SubscriptionIds { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteArray(SubscriptionIds, static (ref UaBinaryWriter w, uint v) => w.WriteUInt32(v));
    }
}

/// <summary>A response that is a ResponseHeader plus StatusCode[] results and DiagnosticInfo[] (Delete*, SetMonitoringMode, …).</summary>
public abstract class StatusResultsResponse
{
    public required ResponseHeader ResponseHeader { get; init; }

    public StatusCode[] Results { get; init; } = [];

    protected static (ResponseHeader Header, StatusCode[] Results) DecodeResults(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var results = reader.ReadArray(static (ref UaBinaryReader r) => r.ReadStatusCode(), 4) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return (header, results);
    }
}

/// <summary>DeleteSubscriptionsResponse (OPC 10000-4 §5.14.8).</summary>
public sealed class DeleteSubscriptionsResponse : StatusResultsResponse, IServiceResponse<DeleteSubscriptionsResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.DeleteSubscriptionsResponse_Encoding_DefaultBinary;

    public static DeleteSubscriptionsResponse Decode(ref UaBinaryReader reader)
    {
        var (header, results) = DecodeResults(ref reader);
        return new DeleteSubscriptionsResponse { ResponseHeader = header, Results = results };
    }
}

/// <summary>SubscriptionAcknowledgement (OPC 10000-4 §5.13.5.2).</summary>
public readonly record struct SubscriptionAcknowledgement(uint SubscriptionId, uint SequenceNumber);

/// <summary>PublishRequest (OPC 10000-4 §5.13.5): <c>| RequestHeader | SubscriptionAcknowledgements (SubscriptionId u32, SequenceNumber u32)[] |</c>.</summary>
public sealed class PublishRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.PublishRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public SubscriptionAcknowledgement[] Acknowledgements { get; init; } = [];

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteArray(Acknowledgements, static (ref UaBinaryWriter w, SubscriptionAcknowledgement a) =>
        {
            w.WriteUInt32(a.SubscriptionId);
            w.WriteUInt32(a.SequenceNumber);
        });
    }
}

/// <summary>RepublishRequest (OPC 10000-4 §5.13.6).</summary>
public sealed class RepublishRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.RepublishRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public uint SubscriptionId { get; init; }

    public uint RetransmitSequenceNumber { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteUInt32(SubscriptionId);
        writer.WriteUInt32(RetransmitSequenceNumber);
    }
}

/// <summary>TransferResult (OPC 10000-4 §5.14.7).</summary>
public sealed record TransferResult(StatusCode StatusCode, uint[] AvailableSequenceNumbers);

/// <summary>TransferSubscriptionsRequest (OPC 10000-4 §5.14.7).</summary>
public sealed class TransferSubscriptionsRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.TransferSubscriptionsRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public required uint[] SubscriptionIds { get; init; }

    public bool SendInitialValues { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteArray(SubscriptionIds, static (ref UaBinaryWriter w, uint v) => w.WriteUInt32(v));
        writer.WriteBoolean(SendInitialValues);
    }
}

/// <summary>TransferSubscriptionsResponse (OPC 10000-4 §5.14.7).</summary>
public sealed class TransferSubscriptionsResponse : IServiceResponse<TransferSubscriptionsResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.TransferSubscriptionsResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public TransferResult[] Results { get; init; } = [];

    public static TransferSubscriptionsResponse Decode(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var results = reader.ReadArray(
            static (ref UaBinaryReader r) => new TransferResult(r.ReadStatusCode(), r.ReadArray(static (ref UaBinaryReader x) => x.ReadUInt32(), 4) ?? []),
            8) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return new TransferSubscriptionsResponse { ResponseHeader = header, Results = results };
    }
}
