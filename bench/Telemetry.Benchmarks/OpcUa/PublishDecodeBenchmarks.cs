using System.Buffers;
using BenchmarkDotNet.Attributes;
using Telemetry.Core;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.Benchmarks.OpcUa;

/// <summary>
/// Decoding Publish responses as node-opcua sends them under load: 1,000 data changes per response (its cap),
/// each DataValue with value, source and server timestamps (mask 0x0D); half Double values, half UInt32 counters.
/// <see cref="DecodeOnly"/>: PublishResponseDecoder into a visitor that sums the values.
/// <see cref="DecodeToSamples"/>: the edge's path to the spool: decode, then OpcUaValueConverter.ToSample per value
/// into a reused array. Figures are per value (OperationsPerInvoke = values per response).
/// </summary>
[MemoryDiagnoser]
public class PublishDecodeBenchmarks
{
    private const int Values = 1000;

    private readonly UaLimits _limits = UaLimits.Default;
    private byte[] _response = [];
    private SummingVisitor _sum = null!;
    private SampleVisitor _samples = null!;

    public static byte[] BuildResponse(int values, uint sequenceNumber = 7)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new UaBinaryWriter(buffer);
        var now = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        w.WriteNodeId(new NodeId(UaNodeIds.PublishResponse_Encoding_DefaultBinary));
        w.WriteDateTime(now);                 // ResponseHeader.Timestamp
        w.WriteUInt32(42);                    // RequestHandle
        w.WriteStatusCode(default);           // ServiceResult
        w.WriteDiagnosticInfo(null);          // ServiceDiagnostics
        w.WriteInt32(-1);                     // StringTable
        w.WriteExtensionObject(null);         // AdditionalHeader
        w.WriteUInt32(1);                     // SubscriptionId
        w.WriteInt32(1);                      // AvailableSequenceNumbers
        w.WriteUInt32(sequenceNumber);
        w.WriteBoolean(false);                // MoreNotifications
        w.WriteUInt32(sequenceNumber);        // NotificationMessage.SequenceNumber
        w.WriteDateTime(now);                 // PublishTime
        w.WriteInt32(1);                      // NotificationData: one DataChangeNotification
        var body = new ArrayBufferWriter<byte>();
        var inner = new UaBinaryWriter(body);
        inner.WriteInt32(values);
        for (var i = 0; i < values; i++)
        {
            inner.WriteUInt32((uint)i);       // ClientHandle
            inner.WriteDataValue(new DataValue(
                i % 2 == 0 ? (Variant)(1500.125 + i) : (Variant)(uint)(100_000 + i),
                default,
                now.AddTicks(i * 10),
                now.AddTicks((i * 10) + 5)));
        }

        inner.WriteInt32(-1);                 // DiagnosticInfos
        w.WriteNodeId(new NodeId(UaNodeIds.DataChangeNotification_Encoding_DefaultBinary));
        w.WriteByte(1);
        w.WriteInt32(body.WrittenCount);
        w.WriteRaw(body.WrittenSpan);
        w.WriteInt32(0);                      // Results (acknowledgements)
        w.WriteInt32(-1);                     // DiagnosticInfos
        return buffer.WrittenSpan.ToArray();
    }

    [GlobalSetup]
    public void Setup()
    {
        _response = BuildResponse(Values);
        _sum = new SummingVisitor();
        _samples = new SampleVisitor(Values);
        var info = PublishResponseDecoder.DecodePublish(_response, _limits, _sum);
        if (info.ValueCount != Values || _sum.Count != Values)
        {
            throw new InvalidOperationException($"The built response decoded to {info.ValueCount} values.");
        }

        Console.WriteLine($"// Publish response: {_response.Length} bytes, {Values} values");
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public double DecodeOnly()
    {
        _sum.Reset();
        PublishResponseDecoder.DecodePublish(_response, _limits, _sum);
        return _sum.Sum;
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public int DecodeToSamples()
    {
        _samples.Reset();
        PublishResponseDecoder.DecodePublish(_response, _limits, _samples);
        return _samples.Count;
    }

    private sealed class SummingVisitor : INotificationVisitor
    {
        public double Sum { get; private set; }

        public int Count { get; private set; }

        public void Reset()
        {
            Sum = 0;
            Count = 0;
        }

        public bool OnNotificationMessage(uint subscriptionId, uint sequenceNumber, DateTime publishTime) => true;

        public void OnDataChange(uint subscriptionId, uint clientHandle, in DataValue value)
        {
            Sum += value.Value.Type == BuiltInType.Double ? value.Value.AsDouble() : value.Value.AsInt64();
            Sum += value.SourceTimestamp.Ticks;
            Count++;
        }

        public void OnStatusChange(uint subscriptionId, StatusCode status)
        {
        }
    }

    private sealed class SampleVisitor : INotificationVisitor
    {
        private readonly AssetPath[] _paths;
        private readonly Sample[] _out;

        public SampleVisitor(int handles)
        {
            _paths = Enumerable.Range(0, handles).Select(i => new AssetPath("plant-1", "press shop", "L1", $"P{i % 50}", $"tag{i}")).ToArray();
            _out = new Sample[handles];
        }

        public int Count { get; private set; }

        public void Reset() => Count = 0;

        public bool OnNotificationMessage(uint subscriptionId, uint sequenceNumber, DateTime publishTime) => true;

        public void OnDataChange(uint subscriptionId, uint clientHandle, in DataValue value)
        {
            _out[Count++] = OpcUaValueConverter.ToSample(_paths[clientHandle], in value, 1_700_000_000_000_000_000);
        }

        public void OnStatusChange(uint subscriptionId, StatusCode status)
        {
        }
    }
}
