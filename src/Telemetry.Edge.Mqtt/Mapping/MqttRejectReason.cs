namespace Telemetry.Edge.Mqtt;

/// <summary>Why a message produced no samples; counted per reason and per topic.</summary>
public enum MqttRejectReason
{
    None = 0,
    NoMatchingRule,
    EmptyPayload,
    NotUtf8,
    InvalidJson,
    MissingValue,
    UnsupportedValue,
    BadTimestamp,
    BadQuality,
    BadTopicLevel,
    SparkplugMalformed,
    SparkplugNoBirth,
    SparkplugUnknownAlias,
    SparkplugSequenceGap,
    SparkplugBadTopic,
}
