using Telemetry.Edge.Mqtt;

namespace Telemetry.Edge.Configuration;

/// <summary>`type: mqtt` — a broker, its session, subscriptions and the rules that map topics to machines and tags.</summary>
public sealed record MqttSourceConfig(string Name, ConfigLocation Location, MqttSourceOptions Options) : SourceConfig(Name, Location)
{
    public override string Type => "mqtt";
}

/// <summary>`type: mqtt-broker` — the edge's own MQTT broker; devices publish to it, the rules map what they publish.</summary>
public sealed record MqttBrokerSourceConfig(string Name, ConfigLocation Location, EmbeddedBrokerOptions Options) : SourceConfig(Name, Location)
{
    public override string Type => "mqtt-broker";
}

/// <summary>
/// Reads an MQTT source:
/// <code>
/// - name: line-2-sensors
///   type: mqtt
///   broker: mqtt://127.0.0.1:1883          # mqtts://host:8883 for TLS
///   protocol: 5                            # 5 or 3.1.1
///   client_id: plant-a-edge-1-line2        # default: the edge id and the source name
///   persistent_session: true               # keep subscriptions and queued QoS 1/2 messages across reconnects
///   username: edge
///   password: { env: MQTT_PASSWORD }
///   tls: { ca: /etc/telemetry-edge/pki/broker-ca.pem, client_cert: …, client_key: …, server_name: …, pin_sha256: … }
///   qos: 1
///   rules:
///     - topic: plant/{line}/{machine}/{tag}
///       format: plain                      # plain, json or sparkplug-b
///       area: press-shop
///       json: { value: value, timestamp: ts, timestamp_unit: ms, quality: q, values: data, item_tag: name }
/// </code>
/// </summary>
internal static class MqttSourceConfigParser
{
    private static readonly Dictionary<string, MqttProtocol> Protocols = new(StringComparer.Ordinal)
    {
        ["5"] = MqttProtocol.V5,
        ["3.1.1"] = MqttProtocol.V311,
    };

    private static readonly Dictionary<string, MqttQos> QosLevels = new(StringComparer.Ordinal)
    {
        ["0"] = MqttQos.AtMostOnce,
        ["1"] = MqttQos.AtLeastOnce,
        ["2"] = MqttQos.ExactlyOnce,
    };

    private static readonly Dictionary<string, MqttPayloadFormat> Formats = new(StringComparer.Ordinal)
    {
        ["plain"] = MqttPayloadFormat.Plain,
        ["json"] = MqttPayloadFormat.Json,
        ["sparkplug-b"] = MqttPayloadFormat.SparkplugB,
    };

    private static readonly Dictionary<string, MqttTimestampUnit> Units = new(StringComparer.Ordinal)
    {
        ["ms"] = MqttTimestampUnit.Milliseconds,
        ["s"] = MqttTimestampUnit.Seconds,
        ["us"] = MqttTimestampUnit.Microseconds,
        ["ns"] = MqttTimestampUnit.Nanoseconds,
    };

    public static MqttSourceConfig Parse(ConfigNode item, string name, ConfigLocation location, string edgeId, string site, Func<string, string?> environment)
    {
        var brokerNode = item.Required("broker", "the broker's address, e.g. mqtt://127.0.0.1:1883 or mqtts://broker:8883");
        var broker = brokerNode.Url("mqtt", "mqtts");
        var tlsNode = item.Optional("tls");
        if (broker.Scheme == "mqtt" && tlsNode is not null)
        {
            throw tlsNode.Error("TLS settings need an mqtts:// broker address.");
        }

        var qos = item.Optional("qos")?.OneOf(QosLevels) ?? MqttQos.AtLeastOnce;
        var protocol = item.Optional("protocol")?.OneOf(Protocols) ?? MqttProtocol.V5;
        var expiryNode = item.Optional("session_expiry");
        if (expiryNode is not null && protocol == MqttProtocol.V311)
        {
            throw expiryNode.Error("session_expiry is an MQTT 5 setting; a 3.1.1 broker keeps a persistent session until it is cleaned (its own setting).");
        }
        var persistent = item.Optional("persistent_session")?.Bool() ?? true;
        var rules = new List<MqttMappingRule>();
        var ruleNodes = item.Required("rules", "a list of { topic, format, … } mapping topics to machines and tags").Items();
        foreach (var rule in ruleNodes)
        {
            rules.Add(ParseRule(rule, site));
        }

        var subscriptionNodes = new List<ConfigNode>();

        var subscriptions = new List<MqttSubscription>();
        if (item.Optional("subscriptions") is { } subscriptionList)
        {
            foreach (var s in subscriptionList.Items())
            {
                subscriptionNodes.Add(s);
                subscriptions.Add(new MqttSubscription(
                    s.Required("topic", "a topic filter such as plant/#").NonEmptyString("a topic filter"),
                    s.Optional("qos")?.OneOf(QosLevels) ?? qos,
                    s.Optional("share_group")?.Name()));
                s.EnsureNoUnknownKeys();
            }
        }
        else
        {
            // One subscription per distinct rule filter.
            subscriptions.AddRange(rules.Select(r => r.Filter).Distinct(StringComparer.Ordinal).Select(f => new MqttSubscription(f, qos)));
        }

        var options = new MqttSourceOptions
        {
            Name = name,
            Host = broker.Host,
            Port = broker.IsDefaultPort || broker.Port <= 0 ? (broker.Scheme == "mqtts" ? 8883 : 1883) : broker.Port,
            Protocol = protocol,
            ClientId = item.Optional("client_id")?.NonEmptyString("a client id") ?? $"{edgeId}-{name}",
            CleanStart = !persistent,
            SessionExpiry = persistent && protocol == MqttProtocol.V5
                ? expiryNode?.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromDays(30)) ?? TimeSpan.FromDays(1)
                : null,
            UserName = item.Optional("username")?.NonEmptyString("a user name"),
            Password = item.Optional("password")?.Secret(environment),
            Tls = broker.Scheme == "mqtts" ? ParseTls(tlsNode) : null,
            KeepAlive = item.Optional("keep_alive")?.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(18)) ?? TimeSpan.FromSeconds(30),
            Subscriptions = subscriptions,
            Rules = rules,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            // Point at the rule or subscription the message is about.
            throw (IndexIn(ex.Message, "Rules[") is { } r && r < ruleNodes.Count ? ruleNodes[r]
                : IndexIn(ex.Message, "Subscriptions[") is { } s && s < subscriptionNodes.Count ? subscriptionNodes[s]
                : item).Error(ex.Message);
        }

        return new MqttSourceConfig(name, location, options);
    }

    /// <summary>
    /// Reads the embedded broker:
    /// <code>
    /// - name: shopfloor-broker
    ///   type: mqtt-broker
    ///   listen: 0.0.0.0:1883
    ///   users:
    ///     - { name: press-07, password_hash: "pbkdf2-sha256$…" }   # telemetry-edge hash-password prints one
    ///   allow_anonymous: false
    ///   max_connections: 1000
    ///   max_packet: 256KiB
    ///   rules: [ … as for type: mqtt … ]
    /// </code>
    /// </summary>
    public static MqttBrokerSourceConfig ParseBroker(ConfigNode item, string name, ConfigLocation location, string site)
    {
        var listen = System.Net.IPEndPoint.Parse("127.0.0.1:1883");
        if (item.Optional("listen") is { } listenNode)
        {
            listen = System.Net.IPEndPoint.TryParse(listenNode.String(), out var endpoint)
                ? endpoint
                : throw listenNode.Error($"'{listenNode.String()}' is not an address:port such as 0.0.0.0:1883.");
        }

        var users = new List<EmbeddedBrokerUser>();
        var userNodes = item.Optional("users")?.Items() ?? [];
        foreach (var u in userNodes)
        {
            users.Add(new EmbeddedBrokerUser(
                u.Required("name", "the user name devices log in with").NonEmptyString("a user name"),
                u.Required("password_hash", "a hash printed by `telemetry-edge hash-password`").NonEmptyString("a password hash")));
            u.EnsureNoUnknownKeys();
        }

        var ruleNodes = item.Required("rules", "a list of { topic, format, … } mapping topics to machines and tags").Items();
        var options = new EmbeddedBrokerOptions
        {
            Name = name,
            ListenAddress = listen.Address.ToString(),
            Port = listen.Port,
            Users = users,
            AllowAnonymous = item.Optional("allow_anonymous")?.Bool() ?? false,
            MaxConnections = item.Optional("max_connections")?.Int(1, 100_000) ?? 1000,
            MaxPacketBytes = (int)(item.Optional("max_packet")?.Size(128, 256L << 20) ?? 256 * 1024),
            MaxPendingMessagesPerClient = item.Optional("max_queued_per_client")?.Int(1, 10_000_000) ?? 10_000,
            Rules = [.. ruleNodes.Select(r => ParseRule(r, site))],
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw (IndexIn(ex.Message, "Rules[") is { } r && r < ruleNodes.Count ? ruleNodes[r]
                : ex.Message.Contains("user", StringComparison.Ordinal) && userNodes.Count > 0 ? item.Required("users", "users")
                : item).Error(ex.Message);
        }

        return new MqttBrokerSourceConfig(name, location, options);
    }

    private static int? IndexIn(string message, string marker)
    {
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + marker.Length;
        var end = message.IndexOf(']', start);
        return end > start && int.TryParse(message.AsSpan(start, end - start), System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    private static MqttTlsOptions ParseTls(ConfigNode? tls)
    {
        if (tls is null)
        {
            return new MqttTlsOptions();
        }

        var options = new MqttTlsOptions
        {
            CaFile = tls.Optional("ca")?.NonEmptyString("a PEM file of the CA that issued the broker's certificate"),
            ClientCertificateFile = tls.Optional("client_cert")?.NonEmptyString("a PEM client certificate"),
            ClientKeyFile = tls.Optional("client_key")?.NonEmptyString("the PEM key of the client certificate"),
            CheckHostName = tls.Optional("check_host_name")?.Bool() ?? true,
            ServerName = tls.Optional("server_name")?.NonEmptyString("the host name in the broker's certificate"),
            PinnedCertificateSha256 = tls.Optional("pin_sha256")?.NonEmptyString("a SHA-256 fingerprint"),
        };
        tls.EnsureNoUnknownKeys();
        return options;
    }

    private static MqttMappingRule ParseRule(ConfigNode rule, string site)
    {
        var format = rule.Optional("format")?.OneOf(Formats) ?? MqttPayloadFormat.Plain;
        MqttJsonMapping? json = null;
        if (rule.Optional("json") is { } j)
        {
            json = new MqttJsonMapping
            {
                ValuePath = j.Optional("value")?.NonEmptyString("a dotted path such as data.value") ?? "value",
                TimestampPath = j.Optional("timestamp")?.NonEmptyString("a dotted path"),
                TimestampUnit = j.Optional("timestamp_unit")?.OneOf(Units) ?? MqttTimestampUnit.Milliseconds,
                QualityPath = j.Optional("quality")?.NonEmptyString("a dotted path"),
                ValuesPath = j.Optional("values")?.NonEmptyString("a dotted path"),
                ItemTagPath = j.Optional("item_tag")?.NonEmptyString("a member name") ?? "tag",
            };
            j.EnsureNoUnknownKeys();
        }
        else if (format == MqttPayloadFormat.Json)
        {
            json = new MqttJsonMapping();
        }

        var topic = rule.Required("topic", "a topic template such as plant/{line}/{machine}/{tag}").NonEmptyString("a topic template");
        var parsed = new MqttMappingRule
        {
            Topic = topic,
            Format = format,
            Site = rule.Optional("site")?.Name() ?? (topic.Contains("{site}", StringComparison.Ordinal) ? null : site),
            Area = rule.Optional("area")?.Name(),
            Line = rule.Optional("line")?.Name(),
            Machine = rule.Optional("machine")?.Name(),
            Tag = rule.Optional("tag")?.Name(),
            Json = json,
        };
        rule.EnsureNoUnknownKeys();
        return parsed;
    }
}
