namespace Telemetry.Edge.Mqtt;

/// <summary>MQTT protocol level of a client connection.</summary>
public enum MqttProtocol
{
    V311 = 4,
    V5 = 5,
}

/// <summary>MQTT quality of service of a subscription.</summary>
public enum MqttQos
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}

/// <summary>One subscription: a topic filter (`+`/`#` wildcards), its QoS, and an optional `$share` group.</summary>
public sealed record MqttSubscription(string TopicFilter, MqttQos Qos = MqttQos.AtLeastOnce, string? ShareGroup = null)
{
    /// <summary>The filter as sent to the broker (`$share/group/filter` when shared).</summary>
    public string EffectiveFilter => ShareGroup is null ? TopicFilter : $"$share/{ShareGroup}/{TopicFilter}";

    internal void Validate(int index)
    {
        var where = $"MqttSourceOptions.Subscriptions[{index}]";
        TopicFilterRules.ValidateFilter(TopicFilter, where);
        if (!Enum.IsDefined(Qos))
        {
            throw new ArgumentException($"{where}: QoS {(int)Qos} is not 0, 1 or 2.");
        }

        if (ShareGroup is not null &&
            (ShareGroup.Length == 0 || ShareGroup.AsSpan().IndexOfAny("/+#") >= 0))
        {
            throw new ArgumentException($"{where}: share group '{ShareGroup}' must be non-empty without '/', '+' or '#'.");
        }
    }
}

/// <summary>TLS settings of a client connection. Paths are PEM files.</summary>
public sealed record MqttTlsOptions
{
    /// <summary>CA certificate(s) the broker's certificate must chain to; null uses the system trust store.</summary>
    public string? CaFile { get; init; }

    /// <summary>Client certificate (PEM) for brokers with `require_certificate`; needs <see cref="ClientKeyFile"/>.</summary>
    public string? ClientCertificateFile { get; init; }

    public string? ClientKeyFile { get; init; }

    /// <summary>Check that the broker's certificate names the host we connect to (default on).</summary>
    public bool CheckHostName { get; init; } = true;

    /// <summary>Optional pin: SHA-256 of the broker certificate (hex, colons allowed); the chain must still be valid.</summary>
    public string? PinnedCertificateSha256 { get; init; }

    /// <summary>Host name expected in the certificate when it differs from the host we dial.</summary>
    public string? ServerName { get; init; }

    internal void Validate()
    {
        CheckFile(CaFile, nameof(CaFile));
        CheckFile(ClientCertificateFile, nameof(ClientCertificateFile));
        CheckFile(ClientKeyFile, nameof(ClientKeyFile));
        if ((ClientCertificateFile is null) != (ClientKeyFile is null))
        {
            throw new ArgumentException("MqttTlsOptions: a client certificate needs its key file and a key needs its certificate (set both ClientCertificateFile and ClientKeyFile).");
        }

        if (PinnedCertificateSha256 is not null && NormalizedPin is not { Length: 64 })
        {
            throw new ArgumentException($"MqttTlsOptions.PinnedCertificateSha256 '{PinnedCertificateSha256}' is not a SHA-256 hex digest (64 hex digits, colons allowed).");
        }
    }

    internal string? NormalizedPin
    {
        get
        {
            if (PinnedCertificateSha256 is null)
            {
                return null;
            }

            var hex = PinnedCertificateSha256.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
            foreach (var c in hex)
            {
                if (!char.IsAsciiHexDigit(c))
                {
                    return null;
                }
            }

            return hex;
        }
    }

    private static void CheckFile(string? path, string name)
    {
        if (path is not null && !File.Exists(path))
        {
            throw new ArgumentException($"MqttTlsOptions.{name}: file '{path}' does not exist.");
        }
    }
}

/// <summary>
/// Settings of one MQTT source: the broker, the session, the subscriptions and the mapping rules. Immutable;
/// <see cref="Validate"/> (called by the source) throws <see cref="ArgumentException"/> naming the option and what to do.
/// </summary>
public sealed record MqttSourceOptions
{
    public required string Name { get; init; }

    public required string Host { get; init; }

    public int Port { get; init; } = 1883;

    public MqttProtocol Protocol { get; init; } = MqttProtocol.V5;

    /// <summary>Stable client id; required for a persistent session.</summary>
    public required string ClientId { get; init; }

    /// <summary>True: start a fresh session each connect. False: keep the session (v3.1.1 clean session = false; v5 clean start = false).</summary>
    public bool CleanStart { get; init; } = true;

    /// <summary>v5 only: how long the broker keeps the session after a disconnect (needs CleanStart false to matter).</summary>
    public TimeSpan? SessionExpiry { get; init; }

    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>Null: plain TCP.</summary>
    public MqttTlsOptions? Tls { get; init; }

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles per failed attempt (with jitter) up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>v5 only: most unacknowledged QoS 1/2 messages the broker may send us at once (null: protocol default).</summary>
    public ushort? ReceiveMaximum { get; init; }

    /// <summary>Most samples written to the sink in one batch (messages are acknowledged after it).</summary>
    public int MaxBatchSamples { get; init; } = 8192;

    public required IReadOnlyList<MqttSubscription> Subscriptions { get; init; }

    public required IReadOnlyList<MqttMappingRule> Rules { get; init; }

    /// <summary>
    /// Sparkplug B primary host id: when set, the source publishes `spBv1.0/STATE/{id}` (retained, QoS 1) with
    /// `{"online":true,...}` after connecting and registers the offline state as its will (Sparkplug 3.0 §5.3).
    /// </summary>
    public string? SparkplugHostId { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("MqttSourceOptions.Name must name the source (it appears in logs and health).");
        }

        var where = $"MQTT source '{Name}'";
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException($"{where}: Host must name the broker.");
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"{where}: Port {Port} is not 1..65535.");
        }

        if (!Enum.IsDefined(Protocol))
        {
            throw new ArgumentException($"{where}: Protocol must be V311 or V5.");
        }

        if (string.IsNullOrEmpty(ClientId) || ClientId.Length > 23 * 10)
        {
            throw new ArgumentException($"{where}: ClientId must be set (a stable id keeps the session across restarts).");
        }

        if (Protocol == MqttProtocol.V311)
        {
            if (SessionExpiry is not null)
            {
                throw new ArgumentException($"{where}: SessionExpiry is an MQTT 5 option; with protocol 3.1.1 use CleanStart = false for a persistent session.");
            }

            if (ReceiveMaximum is not null)
            {
                throw new ArgumentException($"{where}: ReceiveMaximum is an MQTT 5 option; remove it or use protocol 5.");
            }

            foreach (var s in Subscriptions ?? [])
            {
                if (s.ShareGroup is not null)
                {
                    throw new ArgumentException($"{where}: shared subscriptions ($share/{s.ShareGroup}) need MQTT 5.");
                }
            }
        }
        else if (!CleanStart && SessionExpiry is null)
        {
            throw new ArgumentException($"{where}: a persistent MQTT 5 session (CleanStart = false) needs SessionExpiry > 0, or the broker drops it at disconnect.");
        }

        if (SessionExpiry is { } expiry && (expiry < TimeSpan.Zero || expiry.TotalSeconds > uint.MaxValue))
        {
            throw new ArgumentException($"{where}: SessionExpiry {expiry} is out of range.");
        }

        if (ReceiveMaximum == 0)
        {
            throw new ArgumentException($"{where}: ReceiveMaximum must be 1..65535.");
        }

        if (Password is not null && UserName is null)
        {
            throw new ArgumentException($"{where}: a Password needs a UserName.");
        }

        if (KeepAlive < TimeSpan.Zero || KeepAlive.TotalSeconds > ushort.MaxValue)
        {
            throw new ArgumentException($"{where}: KeepAlive {KeepAlive} must be 0..65535 s.");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{where}: ConnectTimeout must be positive.");
        }

        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentException($"{where}: reconnect delays must satisfy 0 < ReconnectMinDelay <= ReconnectMaxDelay.");
        }

        if (MaxBatchSamples is < 1 or > 1_000_000)
        {
            throw new ArgumentException($"{where}: MaxBatchSamples {MaxBatchSamples} must be 1..1,000,000.");
        }

        if (Subscriptions is null || Subscriptions.Count == 0)
        {
            throw new ArgumentException($"{where}: at least one subscription is needed.");
        }

        for (var i = 0; i < Subscriptions.Count; i++)
        {
            Subscriptions[i].Validate(i);
        }

        MqttMappingRule.ValidateAll(Rules, where);
        if (SparkplugHostId is not null && (SparkplugHostId.Length == 0 || SparkplugHostId.AsSpan().IndexOfAny("/+#") >= 0))
        {
            throw new ArgumentException($"{where}: SparkplugHostId '{SparkplugHostId}' must be non-empty without '/', '+' or '#'.");
        }

        Tls?.Validate();
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
