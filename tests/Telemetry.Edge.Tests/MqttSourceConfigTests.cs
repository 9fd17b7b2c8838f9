using Telemetry.Edge.Configuration;
using Telemetry.Edge.Mqtt;

namespace Telemetry.Edge.Tests;

public class MqttSourceConfigTests
{
    private const string Valid = """
        edge: { id: edge-1, site: plant-a, data_dir: /tmp/x }
        sources:
          - name: sensors
            type: mqtt
            broker: mqtt://127.0.0.1:1884
            protocol: 5
            persistent_session: true
            session_expiry: 2h
            username: edge
            password: { env: MQTT_PASSWORD }
            qos: 2
            rules:
              - topic: plant/{line}/{machine}/{tag}
                area: press-shop
              - topic: json/{machine}
                format: json
                json: { values: data, timestamp: ts, timestamp_unit: s }
              - topic: spBv1.0/#
                format: sparkplug-b
        """;

    private static string? Env(string name) => name == "MQTT_PASSWORD" ? "pw" : null;

    [Fact]
    public void Parse_ValidMqttSource_EverySettingRead()
    {
        var config = EdgeConfigLoader.Parse(Valid, "edge.yaml", Env);
        var mqtt = Assert.IsType<MqttSourceConfig>(Assert.Single(config.Sources)).Options;
        Assert.Equal(("127.0.0.1", 1884, MqttProtocol.V5), (mqtt.Host, mqtt.Port, mqtt.Protocol));
        Assert.Equal("edge-1-sensors", mqtt.ClientId);
        Assert.False(mqtt.CleanStart);
        Assert.Equal(TimeSpan.FromHours(2), mqtt.SessionExpiry);
        Assert.Equal(("edge", "pw"), (mqtt.UserName, mqtt.Password));
        Assert.Null(mqtt.Tls);
        Assert.Equal(["plant/+/+/+", "json/+", "spBv1.0/#"], mqtt.Subscriptions.Select(s => s.TopicFilter));
        Assert.All(mqtt.Subscriptions, s => Assert.Equal(MqttQos.ExactlyOnce, s.Qos));
        Assert.Equal("plant-a", mqtt.Rules[0].Site);
        Assert.Equal("press-shop", mqtt.Rules[0].Area);
        Assert.Equal(MqttPayloadFormat.Json, mqtt.Rules[1].Format);
        Assert.Equal(("data", "ts", MqttTimestampUnit.Seconds), (mqtt.Rules[1].Json!.ValuesPath, mqtt.Rules[1].Json!.TimestampPath, mqtt.Rules[1].Json!.TimestampUnit));
        Assert.Equal(MqttPayloadFormat.SparkplugB, mqtt.Rules[2].Format);
    }

    public static TheoryData<string, string, string, string> BrokenConfigs => new()
    {
        { "broker not an mqtt url", "mqtt://127.0.0.1:1884", "http://127.0.0.1:1884", "edge.yaml:5:13: sources[0].broker: 'http://127.0.0.1:1884' is not a valid URL; expected mqtt://host:port or mqtts://host:port" },
        { "tls without mqtts", "    qos: 2\n", "    qos: 2\n    tls: { ca: /tmp/ca.pem }\n", "edge.yaml:12:5: sources[0].tls: TLS settings need an mqtts:// broker address" },
        { "protocol 4", "protocol: 5", "protocol: 4", "edge.yaml:6:15: sources[0].protocol: '4' is not one of: 5, 3.1.1" },
        { "session expiry with 3.1.1", "protocol: 5", "protocol: 3.1.1", "edge.yaml:8:21: sources[0].session_expiry: session_expiry is an MQTT 5 setting" },
        { "qos 3", "qos: 2", "qos: 3", "edge.yaml:11:10: sources[0].qos: '3' is not one of: 0, 1, 2" },
        { "unknown rule key", "        area: press-shop", "        aera: press-shop", "edge.yaml:14:9: sources[0].rules[0].aera: unknown key" },
        { "bad format", "format: json\n", "format: xml\n", "edge.yaml:16:17: sources[0].rules[1].format: 'xml' is not one of: plain, json, sparkplug-b" },
        { "rule without machine", "topic: json/{machine}", "topic: json/all", "edge.yaml:15:9: sources[0].rules[1]: " },
        { "bad placeholder", "plant/{line}/{machine}/{tag}", "plant/{cell}/{machine}/{tag}", "edge.yaml:13:9: sources[0].rules[0]: " },
        { "inline password", "password: { env: MQTT_PASSWORD }", "password: hunter2", "edge.yaml:10:15: sources[0].password: put secrets in an environment variable" },
        { "missing rules", "    rules:\n", "    rulez:\n", "edge.yaml:3:5: sources[0]: 'rules' is missing" },
        { "unknown json key", "timestamp_unit: s", "timestamp_units: s", "sources[0].rules[1].json.timestamp_units: unknown key" },
    };

    private const string Broker = """
        edge: { id: edge-1, site: plant-a, data_dir: /tmp/x }
        sources:
          - name: shopfloor
            type: mqtt-broker
            listen: 0.0.0.0:1884
            users:
              - { name: press-07, password_hash: "HASH" }
            rules:
              - { topic: "plant/{machine}/{tag}" }
        """;

    [Fact]
    public void Parse_EmbeddedBroker_UsersListenAndRules()
    {
        var hash = MqttPasswordHash.Create("pw", iterations: 1000);
        var broker = Assert.IsType<MqttBrokerSourceConfig>(Assert.Single(EdgeConfigLoader.Parse(Broker.Replace("HASH", hash, StringComparison.Ordinal), "edge.yaml").Sources)).Options;
        Assert.Equal(("0.0.0.0", 1884, false), (broker.ListenAddress, broker.Port, broker.AllowAnonymous));
        Assert.Equal("press-07", Assert.Single(broker.Users).UserName);
        Assert.Equal("plant-a", Assert.Single(broker.Rules).Site);
    }

    [Fact]
    public void Parse_EmbeddedBrokerPlainPassword_RefusedSayingHowToHash()
    {
        var ex = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(Broker.Replace("HASH", "hunter2", StringComparison.Ordinal), "edge.yaml"));
        Assert.Contains("edge.yaml:6:5: sources[0].users: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("never plain text", ex.Message, StringComparison.Ordinal);
        var nobody = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(Broker.Replace("    users:\n      - { name: press-07, password_hash: \"HASH\" }\n", string.Empty, StringComparison.Ordinal), "edge.yaml"));
        Assert.Contains("nobody could connect", nobody.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Parse_BrokenMqttConfig_RefusedWithFileLineAndKey(string name, string from, string to, string expected)
    {
        Assert.Contains(from, Valid, StringComparison.Ordinal);
        var yaml = Valid.Replace(from, to, StringComparison.Ordinal);
        var ex = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(yaml, "edge.yaml", Env));
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{name}: got '{ex.Message}'");
    }
}
