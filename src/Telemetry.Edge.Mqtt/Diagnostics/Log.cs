using Microsoft.Extensions.Logging;

namespace Telemetry.Edge.Mqtt.Diagnostics;

/// <summary>The MQTT project's log messages; event ids 5000-5099.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "MQTT source {Source}: {State} ({Broker})")]
    public static partial void StateChanged(ILogger logger, string source, string state, string broker);

    [LoggerMessage(5001, LogLevel.Warning, "MQTT source {Source}: cannot connect to {Broker}: {Reason}; retrying in {DelayMs} ms (attempt {Attempt})")]
    public static partial void ConnectFailed(ILogger logger, string source, string broker, string reason, long delayMs, int attempt);

    [LoggerMessage(5002, LogLevel.Information, "MQTT source {Source}: connected to {Broker}, session present {SessionPresent}; subscribed {Count} filters")]
    public static partial void Connected(ILogger logger, string source, string broker, bool sessionPresent, int count);

    [LoggerMessage(5003, LogLevel.Warning, "MQTT source {Source}: lost {Broker}: {Reason}")]
    public static partial void Disconnected(ILogger logger, string source, string broker, string reason);

    [LoggerMessage(5004, LogLevel.Warning, "MQTT {Source}: rejected a message on topic '{Topic}': {Reason} ({Suppressed} more rejections not logged since the last one)")]
    public static partial void Rejected(ILogger logger, string source, string topic, MqttRejectReason reason, long suppressed);

    [LoggerMessage(5005, LogLevel.Error, "MQTT {Source}: writing {Samples} samples to the spool failed; retrying (messages stay unacknowledged)")]
    public static partial void SinkFailed(ILogger logger, Exception exception, string source, int samples);

    [LoggerMessage(5006, LogLevel.Warning, "MQTT source {Source}: broker {Broker} refused subscription '{Filter}': {Code}")]
    public static partial void SubscribeRefused(ILogger logger, string source, string broker, string filter, string code);

    [LoggerMessage(5007, LogLevel.Information, "Sparkplug {Source}: rebirth requested from {Group}/{Node}: {Why}")]
    public static partial void RebirthRequested(ILogger logger, string source, string group, string node, string why);

    [LoggerMessage(5008, LogLevel.Warning, "Sparkplug {Source}: publishing the rebirth request to {Group}/{Node} failed")]
    public static partial void RebirthFailed(ILogger logger, Exception exception, string source, string group, string node);

    [LoggerMessage(5010, LogLevel.Information, "Embedded MQTT broker {Broker} listening on {Endpoint}")]
    public static partial void BrokerStarted(ILogger logger, string broker, string endpoint);

    [LoggerMessage(5011, LogLevel.Warning, "Embedded MQTT broker {Broker}: refused client '{ClientId}' from {Endpoint}: {Reason}")]
    public static partial void BrokerRefused(ILogger logger, string broker, string clientId, string endpoint, string reason);

    [LoggerMessage(5012, LogLevel.Information, "Embedded MQTT broker {Broker} stopped")]
    public static partial void BrokerStopped(ILogger logger, string broker);
}
