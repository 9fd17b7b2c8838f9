using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Services;

/// <summary>Receives the notifications of a Publish or Republish response as they are decoded (no intermediate arrays).</summary>
public interface INotificationVisitor
{
    /// <summary>A NotificationMessage with data begins; return false to skip its notifications (a duplicate).</summary>
    bool OnNotificationMessage(uint subscriptionId, uint sequenceNumber, DateTime publishTime);

    void OnDataChange(uint subscriptionId, uint clientHandle, in DataValue value);

    void OnStatusChange(uint subscriptionId, StatusCode status);
}

/// <summary>What a Publish response said besides its notifications.</summary>
public readonly record struct PublishResponseInfo(
    uint SubscriptionId,
    uint SequenceNumber,
    DateTime PublishTime,
    bool MoreNotifications,
    bool IsKeepAlive,
    uint[]? AvailableSequenceNumbers,
    StatusCode[]? AcknowledgementResults,
    int ValueCount);

/// <summary>
/// Streams a PublishResponse / RepublishResponse (OPC 10000-4 §5.13.5, §5.13.6) into an
/// <see cref="INotificationVisitor"/> in one pass; numeric values allocate nothing.
/// <code>
/// PublishResponse:   | ResponseHeader | SubscriptionId u32 | AvailableSequenceNumbers u32[] | MoreNotifications Boolean |
///                    | NotificationMessage | Results StatusCode[] | DiagnosticInfos DiagnosticInfo[] |
/// NotificationMessage: | SequenceNumber u32 | PublishTime DateTime | NotificationData ExtensionObject[] |
/// DataChangeNotification (i=811): | MonitoredItems (ClientHandle u32, Value DataValue)[] | DiagnosticInfos[] |
/// StatusChangeNotification (i=820): | Status StatusCode | DiagnosticInfo |
/// </code>
/// </summary>
public static class PublishResponseDecoder
{
    private static readonly NodeId s_publishResponse = new(UaNodeIds.PublishResponse_Encoding_DefaultBinary);
    private static readonly NodeId s_republishResponse = new(UaNodeIds.RepublishResponse_Encoding_DefaultBinary);
    private static readonly NodeId s_serviceFault = new(UaNodeIds.ServiceFault_Encoding_DefaultBinary);
    private static readonly NodeId s_dataChange = new(UaNodeIds.DataChangeNotification_Encoding_DefaultBinary);
    private static readonly NodeId s_statusChange = new(UaNodeIds.StatusChangeNotification_Encoding_DefaultBinary);

    /// <summary>Decodes a whole PublishResponse body (starting at its encoding id); a ServiceFault or Bad result throws.</summary>
    public static PublishResponseInfo DecodePublish(ReadOnlySpan<byte> body, UaLimits limits, INotificationVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        var reader = new UaBinaryReader(body, limits);
        ReadHeader(ref reader, s_publishResponse, "Publish");
        var subscriptionId = reader.ReadUInt32();
        var available = ReadUInt32Array(ref reader);
        var more = reader.ReadBoolean();
        var (sequenceNumber, publishTime, isKeepAlive, values) = ReadNotificationMessage(ref reader, subscriptionId, visitor);
        var results = reader.ReadArrayLength(4) is var n and > 0 ? ReadStatusCodes(ref reader, n) : null;
        SkipDiagnostics(ref reader);
        return new PublishResponseInfo(subscriptionId, sequenceNumber, publishTime, more, isKeepAlive, available, results, values);
    }

    /// <summary>Decodes a RepublishResponse body; returns the number of values delivered.</summary>
    public static int DecodeRepublish(ReadOnlySpan<byte> body, UaLimits limits, uint subscriptionId, INotificationVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        var reader = new UaBinaryReader(body, limits);
        ReadHeader(ref reader, s_republishResponse, "Republish");
        return ReadNotificationMessage(ref reader, subscriptionId, visitor).Values;
    }

    private static void ReadHeader(ref UaBinaryReader reader, NodeId expected, string service)
    {
        var typeId = reader.ReadNodeId();
        if (typeId != expected && typeId != s_serviceFault)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadUnknownResponse), $"{service} was answered with type {typeId}.");
        }

        var header = ResponseHeader.Decode(ref reader);
        if (typeId == s_serviceFault || header.ServiceResult.IsBad)
        {
            throw new OpcUaException(header.ServiceResult.IsBad ? header.ServiceResult : new StatusCode(StatusCodes.BadUnexpectedError), $"{service} failed: {header.ServiceResult.Description}");
        }
    }

    private static (uint Sequence, DateTime PublishTime, bool IsKeepAlive, int Values) ReadNotificationMessage(ref UaBinaryReader reader, uint subscriptionId, INotificationVisitor visitor)
    {
        var sequenceNumber = reader.ReadUInt32();
        var publishTime = reader.ReadDateTime();
        var count = reader.ReadArrayLength(3);
        if (count <= 0)
        {
            return (sequenceNumber, publishTime, true, 0);
        }

        var deliver = visitor.OnNotificationMessage(subscriptionId, sequenceNumber, publishTime);
        var values = 0;
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadExtensionObjectBody(out var typeId, out var data) || !deliver)
            {
                continue;
            }

            var inner = reader.Nested(data);
            if (typeId == s_dataChange)
            {
                var items = inner.ReadArrayLength(5);
                for (var j = 0; j < items; j++)
                {
                    var handle = inner.ReadUInt32();
                    var value = inner.ReadDataValue();
                    visitor.OnDataChange(subscriptionId, handle, in value);
                }

                values += Math.Max(items, 0);
            }
            else if (typeId == s_statusChange)
            {
                visitor.OnStatusChange(subscriptionId, inner.ReadStatusCode());
            }

            // EventNotificationList and unknown types: not used by this client, skipped.
        }

        return (sequenceNumber, publishTime, false, values);
    }

    private static uint[]? ReadUInt32Array(ref UaBinaryReader reader)
    {
        var n = reader.ReadArrayLength(4);
        if (n <= 0)
        {
            return null;
        }

        var result = new uint[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = reader.ReadUInt32();
        }

        return result;
    }

    private static StatusCode[] ReadStatusCodes(ref UaBinaryReader reader, int n)
    {
        var result = new StatusCode[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = reader.ReadStatusCode();
        }

        return result;
    }

    private static void SkipDiagnostics(ref UaBinaryReader reader)
    {
        var n = reader.ReadArrayLength();
        for (var i = 0; i < n; i++)
        {
            reader.ReadDiagnosticInfo();
        }
    }
}
