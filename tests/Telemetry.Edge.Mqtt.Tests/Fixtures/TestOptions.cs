using Telemetry.Testing.Peers;

namespace Telemetry.Edge.Mqtt.Tests.Fixtures;

internal static class TestOptions
{
    public static readonly MqttMappingRule PlainRule = new()
    {
        Topic = "plant/{line}/{machine}/{tag}",
        Site = "s1",
    };

    public static MqttSourceOptions Source(MosquittoPeer broker, string clientId, MqttProtocol protocol = MqttProtocol.V5, bool persistent = true, MqttQos qos = MqttQos.AtLeastOnce, IReadOnlyList<MqttMappingRule>? rules = null, string filter = "plant/#") => new()
    {
        Name = "mqtt-test",
        Host = broker.Host,
        Port = broker.Port,
        Protocol = protocol,
        ClientId = clientId,
        CleanStart = !persistent,
        SessionExpiry = persistent && protocol == MqttProtocol.V5 ? TimeSpan.FromHours(1) : null,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        KeepAlive = TimeSpan.FromSeconds(10),
        Subscriptions = [new MqttSubscription(filter, qos)],
        Rules = rules ?? [PlainRule],
    };
}
