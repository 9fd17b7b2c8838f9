using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Telemetry.Ingest.Auth;

/// <summary>
/// A stored password: PBKDF2 with HMAC-SHA-256 (<see cref="Rfc2898DeriveBytes.Pbkdf2(string, byte[], int, HashAlgorithmName, int)"/>),
/// a random 16-byte salt and the iteration count, written as <c>pbkdf2-sha256$ITERATIONS$SALT$KEY</c> (salt and 32-byte key
/// in base64). The configuration keeps only this; the clear password is never stored.
/// </summary>
public sealed class PasswordHash
{
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Lowest count accepted from a file (tests use it to stay fast); add-user writes <see cref="DefaultIterations"/>.</summary>
    public const int MinIterations = 1_000;

    /// <summary>Highest count accepted from a file, so a typo cannot make every sign-in take minutes.</summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>Longest password hashed (longer ones are refused, not truncated).</summary>
    public const int MaxPasswordLength = 1024;

    private const int SaltBytes = 16;
    private const int KeyBytes = 32;

    private readonly byte[] _salt;
    private readonly byte[] _key;

    private PasswordHash(int iterations, byte[] salt, byte[] key)
    {
        Iterations = iterations;
        _salt = salt;
        _key = key;
    }

    public int Iterations { get; }

    /// <summary>Hashes <paramref name="password"/> with a new random salt.</summary>
    public static PasswordHash Create(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        if (password.Length > MaxPasswordLength)
        {
            throw new ArgumentException($"a password has at most {MaxPasswordLength} characters.", nameof(password));
        }

        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(iterations, salt, Derive(password, salt, iterations));
    }

    /// <summary>Reads the stored form; false with the problem in words when it is not one.</summary>
    public static bool TryParse(string? text, out PasswordHash? hash, out string problem)
    {
        hash = null;
        var parts = (text ?? string.Empty).Split('$');
        if (parts.Length != 4 || parts[0] != Scheme)
        {
            problem = $"not a password hash (expected {Scheme}$ITERATIONS$SALT$KEY); the file keeps hashes, never passwords: set one with telemetry-ingest add-user.";
            return false;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < MinIterations || iterations > MaxIterations)
        {
            problem = $"the iteration count '{parts[1]}' is not between {MinIterations} and {MaxIterations}.";
            return false;
        }

        var salt = FromBase64(parts[2]);
        var key = FromBase64(parts[3]);
        if (salt is null || salt.Length < 8 || key is null || key.Length != KeyBytes)
        {
            problem = $"the salt or key is not base64 of at least 8 and exactly {KeyBytes} bytes.";
            return false;
        }

        hash = new PasswordHash(iterations, salt, key);
        problem = string.Empty;
        return true;
    }

    /// <summary>True when <paramref name="password"/> is the one hashed (fixed-time comparison of the derived keys).</summary>
    public bool Verify(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length > MaxPasswordLength)
        {
            return false;
        }

        var derived = Derive(password, _salt, Iterations);
        return CryptographicOperations.FixedTimeEquals(derived, _key);
    }

    /// <summary>A short fingerprint of this hash: sessions carry it, so a changed password ends the old sessions.</summary>
    public string Stamp() => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(ToString())).AsSpan(0, 9))
        .Replace('+', '-').Replace('/', '_');

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_key)}");

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, KeyBytes);

    private static byte[]? FromBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
