using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Sparkplug;
using Telemetry.Edge.Mqtt.Sparkplug.Protocol;

namespace Telemetry.Benchmarks.Mqtt;

/// <summary>
/// Sparkplug B NDATA decode into samples (alias lookup, per-metric timestamps), after an NBIRTH. One operation is
/// one message of <see cref="Metrics"/> metrics: metrics/s = Metrics / mean time. 256 payloads with consecutive
/// seq values are cycled so the sequence check passes.
/// </summary>
[MemoryDiagnoser]
public class SparkplugDecodeBenchmarks
{
    private const string Topic = "spBv1.0/G1/NDATA/E1";
    private readonly SampleBatch _batch = new(4096);
    private SparkplugDecoder _decoder = null!;
    private ReadOnlySequence<byte>[] _payloads = [];
    private int _next;

    [Params(10, 100)]
    public int Metrics { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _decoder = new SparkplugDecoder();
        var birth = new Payload { Timestamp = 1_700_000_000_000, Seq = 0 };
        birth.Metrics.Add(new Payload.Types.Metric { Name = "bdSeq", Datatype = (uint)DataType.Uint64, LongValue = 0 });
        for (var i = 0; i < Metrics; i++)
        {
            birth.Metrics.Add(new Payload.Types.Metric { Name = $"Line/Tag{i}", Alias = (ulong)i + 1, Datatype = (uint)DataType.Double, DoubleValue = 0 });
        }

        var reason = _decoder.Decode("s", null, null, "spBv1.0/G1/NBIRTH/E1", new ReadOnlySequence<byte>(birth.ToByteArray()), 1, _batch);
        if (reason != Edge.Mqtt.MqttRejectReason.None)
        {
            throw new InvalidOperationException(reason.ToString());
        }

        _payloads = new ReadOnlySequence<byte>[256];
        for (var s = 0; s < 256; s++)
        {
            var data = new Payload { Timestamp = 1_700_000_000_000, Seq = (ulong)((s + 1) % 256) };
            for (var i = 0; i < Metrics; i++)
            {
                data.Metrics.Add(new Payload.Types.Metric { Alias = (ulong)i + 1, Timestamp = 1_700_000_000_000 + (ulong)s, DoubleValue = (s * 1000) + i + 0.5 });
            }

            _payloads[s] = new ReadOnlySequence<byte>(data.ToByteArray());
        }

        _batch.Clear();
    }

    [Benchmark]
    public int DecodeNData()
    {
        var payload = _payloads[_next];
        _next = (_next + 1) & 0xff;
        _batch.Clear();
        _decoder.Decode("s", null, null, Topic, payload, 1, _batch);
        return _batch.Count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _decoder.Dispose();
        _batch.Dispose();
    }
}
