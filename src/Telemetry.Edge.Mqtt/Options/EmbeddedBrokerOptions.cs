using System.Security.Cryptography;

namespace Telemetry.Edge.Mqtt;

/// <summary>A user of the embedded broker. The password is stored hashed (<see cref="MqttPasswordHash"/>).</summary>
public sealed record EmbeddedBrokerUser(string UserName, string PasswordHash);

/// <summary>
/// Settings of the edge's own MQTT broker (off unless configured): where it listens, who may connect, its limits, and
/// the mapping rules applied to every message published to it (the same rules as an <see cref="MqttSourceOptions"/>).
/// </summary>
public sealed record EmbeddedBrokerOptions
{
    public string Name { get; init; } = "broker";

    /// <summary>Listen address (an IP literal; "0.0.0.0" or "::" for all interfaces).</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 1883;

    public IReadOnlyList<EmbeddedBrokerUser> Users { get; init; } = [];

    /// <summary>Broker certificate (PEM) for TLS on the listener; null: plain TCP. Needs <see cref="TlsKeyFile"/>.</summary>
    public string? TlsCertificateFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary>Clients without credentials are refused unless this is set.</summary>
    public bool AllowAnonymous { get; init; }

    public int MaxConnections { get; init; } = 1000;

    /// <summary>Largest packet a client may send; larger packets disconnect that client.</summary>
    public int MaxPacketBytes { get; init; } = 256 * 1024;

    /// <summary>Most QoS 1/2 messages the broker keeps queued per client.</summary>
    public int MaxPendingMessagesPerClient { get; init; } = 10_000;

    /// <summary>Most QoS 1/2 messages of one client accepted but not yet acknowledged (durable); more wait, which slows that client only.</summary>
    public int MaxInFlightPerClient { get; init; } = 1000;

    public int MaxBatchSamples { get; init; } = 8192;

    public required IReadOnlyList<MqttMappingRule> Rules { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public void Validate()
    {
        var where = $"embedded MQTT broker '{Name}'";
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("EmbeddedBrokerOptions.Name must name the broker (it appears in logs and health).");
        }

        if (!System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            throw new ArgumentException($"{where}: ListenAddress '{ListenAddress}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0 or ::).");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"{where}: Port {Port} is not 0..65535 (0 picks a free port).");
        }

        if ((TlsCertificateFile is null) != (TlsKeyFile is null))
        {
            throw new ArgumentException($"{where}: TLS needs both TlsCertificateFile and TlsKeyFile.");
        }

        foreach (var file in new[] { TlsCertificateFile, TlsKeyFile })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new ArgumentException($"{where}: TLS file '{file}' does not exist.");
            }
        }

        if (!AllowAnonymous && (Users is null || Users.Count == 0))
        {
            throw new ArgumentException($"{where}: no users and anonymous access is off, so nobody could connect; add users or set AllowAnonymous.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in Users ?? [])
        {
            if (string.IsNullOrEmpty(user.UserName) || !names.Add(user.UserName))
            {
                throw new ArgumentException($"{where}: user names must be set and unique ('{user.UserName}').");
            }

            if (!MqttPasswordHash.IsWellFormed(user.PasswordHash))
            {
                throw new ArgumentException($"{where}: user '{user.UserName}' password must be a hash from MqttPasswordHash.Create (pbkdf2-sha256$iterations$salt$hash), never plain text.");
            }
        }

        if (MaxConnections < 1 || MaxPacketBytes < 128 || MaxPendingMessagesPerClient < 1 || MaxInFlightPerClient < 1)
        {
            throw new ArgumentException($"{where}: MaxConnections >= 1, MaxPacketBytes >= 128, MaxPendingMessagesPerClient >= 1 and MaxInFlightPerClient >= 1 are needed.");
        }

        if (MaxBatchSamples is < 1 or > 1_000_000)
        {
            throw new ArgumentException($"{where}: MaxBatchSamples {MaxBatchSamples} must be 1..1,000,000.");
        }

        MqttMappingRule.ValidateAll(Rules, where);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}

/// <summary>PBKDF2-SHA256 password hashes for broker users: `pbkdf2-sha256$iterations$salt(base64)$hash(base64)`.</summary>
public static class MqttPasswordHash
{
    private const string Scheme = "pbkdf2-sha256";
    private const int DefaultIterations = 100_000;

    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        if (!TryParse(stored, out var iterations, out var salt, out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    internal static bool IsWellFormed(string? stored) => stored is not null && TryParse(stored, out _, out _, out _);

    private static bool TryParse(string stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out iterations) || iterations < 1000)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= 8 && hash.Length >= 16;
    }
}
