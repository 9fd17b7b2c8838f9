namespace Telemetry.Edge.Mqtt;

/// <summary>A snapshot of an MQTT source's or the embedded broker's counters (also exported as metrics).</summary>
public sealed record MqttStatistics(
    long MessagesReceived,
    long SamplesMapped,
    long MessagesRejected,
    IReadOnlyDictionary<MqttRejectReason, long> RejectedByReason,
    IReadOnlyDictionary<string, long> RejectedByTopic,
    long Reconnects,
    long InFlight,
    long MessagesAcknowledged,
    long RebirthRequests);
