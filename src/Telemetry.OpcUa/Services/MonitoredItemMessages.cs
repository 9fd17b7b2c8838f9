using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Services;

// MonitoredItem service set (OPC 10000-4 §5.13); field order from Opc.Ua.Types.bsd.

/// <summary>MonitoringMode (OPC 10000-4 §7.23).</summary>
public enum MonitoringMode
{
    Disabled = 0,
    Sampling = 1,
    Reporting = 2,
}

/// <summary>DataChangeTrigger (OPC 10000-4 §7.22.2).</summary>
public enum DataChangeTrigger
{
    Status = 0,
    StatusValue = 1,
    StatusValueTimestamp = 2,
}

/// <summary>DeadbandType (OPC 10000-4 §7.22.2).</summary>
public enum DeadbandType : uint
{
    None = 0,
    Absolute = 1,
    Percent = 2,
}

/// <summary>
/// DataChangeFilter (OPC 10000-4 §7.22.2): <c>| Trigger Int32 | DeadbandType u32 | DeadbandValue Double |</c>.
/// Percent deadband needs the node's EURange on the server.
/// </summary>
public sealed record DataChangeFilter(DataChangeTrigger Trigger = DataChangeTrigger.StatusValue, DeadbandType DeadbandType = DeadbandType.None, double DeadbandValue = 0) : IUaEncodable
{
    public NodeId BinaryEncodingId => UaNodeIds.DataChangeFilter_Encoding_DefaultBinary;

    public static DataChangeFilter Absolute(double deadband) => new(DataChangeTrigger.StatusValue, DeadbandType.Absolute, deadband);

    public static DataChangeFilter Percent(double percent) => new(DataChangeTrigger.StatusValue, DeadbandType.Percent, percent);

    public void Encode(ref UaBinaryWriter writer)
    {
        writer.WriteInt32((int)Trigger);
        writer.WriteUInt32((uint)DeadbandType);
        writer.WriteDouble(DeadbandValue);
    }
}

/// <summary>MonitoredItemCreateRequest with its MonitoringParameters (OPC 10000-4 §7.21, §5.13.2).</summary>
public sealed record MonitoredItemCreateRequest(
    ReadValueId ItemToMonitor,
    MonitoringMode MonitoringMode,
    uint ClientHandle,
    double SamplingInterval,
    DataChangeFilter? Filter,
    uint QueueSize,
    bool DiscardOldest)
{
    public void Encode(ref UaBinaryWriter writer)
    {
        ItemToMonitor.Encode(ref writer);
        writer.WriteInt32((int)MonitoringMode);
        writer.WriteUInt32(ClientHandle);
        writer.WriteDouble(SamplingInterval);
        writer.WriteExtensionObject(Filter is null ? null : new ExtensionObject(Filter));
        writer.WriteUInt32(QueueSize);
        writer.WriteBoolean(DiscardOldest);
    }
}

/// <summary>MonitoredItemCreateResult (OPC 10000-4 §5.13.2).</summary>
public sealed record MonitoredItemCreateResult(StatusCode StatusCode, uint MonitoredItemId, double RevisedSamplingInterval, uint RevisedQueueSize)
{
    public static MonitoredItemCreateResult Decode(ref UaBinaryReader reader)
    {
        var result = new MonitoredItemCreateResult(reader.ReadStatusCode(), reader.ReadUInt32(), reader.ReadDouble(), reader.ReadUInt32());
        reader.ReadExtensionObject(); // FilterResult
        return result;
    }
}

/// <summary>CreateMonitoredItemsRequest (OPC 10000-4 §5.13.2).</summary>
public sealed class CreateMonitoredItemsRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.CreateMonitoredItemsRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public uint SubscriptionId { get; init; }

    public TimestampsToReturn TimestampsToReturn { get; init; } = TimestampsToReturn.Both;

    public required MonitoredItemCreateRequest[] ItemsToCreate { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteUInt32(SubscriptionId);
        writer.WriteInt32((int)TimestampsToReturn);
        writer.WriteArray(ItemsToCreate, static (ref UaBinaryWriter w, MonitoredItemCreateRequest v) => v.Encode(ref w));
    }
}

/// <summary>CreateMonitoredItemsResponse (OPC 10000-4 §5.13.2).</summary>
public sealed class CreateMonitoredItemsResponse : IServiceResponse<CreateMonitoredItemsResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.CreateMonitoredItemsResponse_Encoding_DefaultBinary;

    public required ResponseHeader ResponseHeader { get; init; }

    public MonitoredItemCreateResult[] Results { get; init; } = [];

    public static CreateMonitoredItemsResponse Decode(ref UaBinaryReader reader)
    {
        var header = ResponseHeader.Decode(ref reader);
        var results = reader.ReadArray(static (ref UaBinaryReader r) => MonitoredItemCreateResult.Decode(ref r), 22) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return new CreateMonitoredItemsResponse { ResponseHeader = header, Results = results };
    }
}

/// <summary>DeleteMonitoredItemsRequest (OPC 10000-4 §5.13.6).</summary>
public sealed class DeleteMonitoredItemsRequest : IServiceRequest
{
    public NodeId BinaryEncodingId => UaNodeIds.DeleteMonitoredItemsRequest_Encoding_DefaultBinary;

    public RequestHeader RequestHeader { get; } = new();

    public uint SubscriptionId { get; init; }

    public required uint[] MonitoredItemIds { get; init; }

    public void Encode(ref UaBinaryWriter writer)
    {
        RequestHeader.Encode(ref writer);
        writer.WriteUInt32(SubscriptionId);
        writer.WriteArray(MonitoredItemIds, static (ref UaBinaryWriter w, uint v) => w.WriteUInt32(v));
    }
}

/// <summary>DeleteMonitoredItemsResponse (OPC 10000-4 §5.13.6).</summary>
public sealed class DeleteMonitoredItemsResponse : StatusResultsResponse, IServiceResponse<DeleteMonitoredItemsResponse>
{
    public static uint BinaryEncodingId => UaNodeIds.DeleteMonitoredItemsResponse_Encoding_DefaultBinary;

    public static DeleteMonitoredItemsResponse Decode(ref UaBinaryReader reader)
    {
        var (header, results) = DecodeResults(ref reader);
        return new DeleteMonitoredItemsResponse { ResponseHeader = header, Results = results };
    }
}
