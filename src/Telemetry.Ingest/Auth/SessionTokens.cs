using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Telemetry.Ingest.Auth;

/// <summary>What a valid session cookie says: who, the password stamp it was issued for, and until when.</summary>
public readonly record struct SessionClaims(string User, string Stamp, DateTimeOffset Expires, string Id);

/// <summary>
/// Session cookie values, signed and self-contained so any instance with the same key accepts them (the ingest keeps
/// no state a restart would lose):
/// <code>
/// base64url(user) "." expiresUnixSeconds "." base64url(16 random bytes) "." stamp "." base64url(HMAC-SHA256(key, all before))
/// </code>
/// The stamp is the user's <see cref="PasswordHash.Stamp"/>: a new password ends every older session.
/// </summary>
public sealed class SessionTokens
{
    /// <summary>Longer cookie values are refused before any parsing.</summary>
    public const int MaxLength = 512;

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public SessionTokens(ReadOnlySpan<byte> key, TimeSpan lifetime, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (key.Length < 32)
        {
            throw new ArgumentException("a session key has at least 32 bytes.", nameof(key));
        }

        _key = key.ToArray();
        Lifetime = lifetime;
        _time = time;
    }

    public TimeSpan Lifetime { get; }

    /// <summary>A key from the configured text (its UTF-8 bytes, hashed to 32), or 32 random bytes when none is configured.</summary>
    public static byte[] KeyFrom(string? configured) =>
        configured is null ? RandomNumberGenerator.GetBytes(32) : SHA256.HashData(Encoding.UTF8.GetBytes(configured));

    public (string Value, DateTimeOffset Expires) Issue(string user, string stamp)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(stamp);
        var expires = _time.GetUtcNow() + Lifetime;
        var body = string.Join('.',
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(user)),
            expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            stamp);
        return (body + "." + Base64Url.EncodeToString(Mac(body)), DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>True for a value this key signed that has not expired.</summary>
    public bool TryRead(string? value, out SessionClaims claims)
    {
        claims = default;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        var dot = value.LastIndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        // Compare the signature's canonical text (a non-canonical base64 spelling of the right bytes is refused too).
        var body = value[..dot];
        var expected = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(Mac(body)));
        var given = Encoding.ASCII.GetBytes(value[(dot + 1)..]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return false;
        }

        var parts = body.Split('.');
        if (parts.Length != 4 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds))
        {
            return false;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
        if (_time.GetUtcNow() >= expires)
        {
            return false;
        }

        string user;
        try
        {
            user = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0]));
        }
        catch (FormatException)
        {
            return false;
        }

        claims = new SessionClaims(user, parts[3], expires, parts[2]);
        return true;
    }

    private byte[] Mac(string body) => HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(body));
}
