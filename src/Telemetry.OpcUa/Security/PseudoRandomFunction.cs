using System.Security.Cryptography;

namespace Telemetry.OpcUa.Security;

/// <summary>
/// P_SHA (OPC 10000-6 §6.7.5, the TLS 1.2 P_hash of RFC 5246 §5 without a label):
/// <code>
/// A(0) = seed, A(i) = HMAC(secret, A(i-1))
/// P_SHA(secret, seed) = HMAC(secret, A(1) | seed) | HMAC(secret, A(2) | seed) | …
/// </code>
/// </summary>
public static class PseudoRandomFunction
{
    /// <summary>Fills <paramref name="output"/> with the first bytes of P_SHA-<paramref name="hash"/>(secret, seed).</summary>
    public static void Derive(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        var hashSize = HashSize(hash);
        var input = new byte[hashSize + seed.Length]; // A(i) | seed
        seed.CopyTo(input.AsSpan(hashSize));
        Span<byte> a = stackalloc byte[hashSize];
        Span<byte> block = stackalloc byte[hashSize];
        Mac(hash, secret, seed, a); // A(1)
        var written = 0;
        while (written < output.Length)
        {
            a.CopyTo(input);
            Mac(hash, secret, input, block);
            var take = Math.Min(hashSize, output.Length - written);
            block[..take].CopyTo(output[written..]);
            written += take;
            Mac(hash, secret, a, a); // A(i+1)
        }

        CryptographicOperations.ZeroMemory(block);
    }

    internal static int HashSize(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA1 ? 20
        : hash == HashAlgorithmName.SHA256 ? 32
        : throw new ArgumentOutOfRangeException(nameof(hash), hash, "P_SHA1 or P_SHA256 only.");

    /// <summary>HMAC-SHA1/SHA256 into <paramref name="destination"/> (which may alias <paramref name="source"/>).</summary>
    internal static void Mac(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Span<byte> result = stackalloc byte[32];
#pragma warning disable CA5350 // HMAC-SHA1 only for the deprecated policies, which must be enabled explicitly
        var length = hash == HashAlgorithmName.SHA1
            ? HMACSHA1.HashData(key, source, result)
            : HMACSHA256.HashData(key, source, result);
#pragma warning restore CA5350
        result[..length].CopyTo(destination);
    }
}
