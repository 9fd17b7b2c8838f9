using Google.Protobuf;
using Telemetry.Edge.Mqtt.Sparkplug.Protocol;

namespace Telemetry.Edge.Mqtt.Sparkplug;

/// <summary>Messages a Sparkplug host sends (spec 5.5 / 6.4.18): the NCMD rebirth request.</summary>
internal static class SparkplugCommands
{
    public static string RebirthTopic(string group, string edgeNode) => $"{SparkplugTopic.Namespace}/{group}/NCMD/{edgeNode}";

    public static byte[] Rebirth(long unixMilliseconds)
    {
        var payload = new Payload { Timestamp = (ulong)unixMilliseconds };
        payload.Metrics.Add(new Payload.Types.Metric
        {
            Name = SparkplugDecoder.RebirthMetric,
            Timestamp = (ulong)unixMilliseconds,
            Datatype = (uint)DataType.Boolean,
            BooleanValue = true,
        });
        return payload.ToByteArray();
    }
}
