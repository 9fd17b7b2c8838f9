using System.Buffers;
using Telemetry.Core;

namespace Telemetry.Edge.Mqtt.Sparkplug;

/// <summary>Sparkplug B decoder (placeholder until the protobuf model lands).</summary>
internal sealed class SparkplugDecoder
{
    public static MqttRejectReason Decode(string site, string topic, in ReadOnlySequence<byte> payload, long receiveTimeNs, SampleBatch batch) =>
        MqttRejectReason.SparkplugMalformed;
}
