using System.Security.Cryptography;

namespace Telemetry.OpcUa.Security;

/// <summary>
/// The symmetric algorithms of a policy (OPC 10000-6 §6.7.2): HMAC signatures and AES-CBC with the token's IV,
/// in place and allocation-free (MSG chunks on the hot path).
/// </summary>
public static class SymmetricCrypto
{
    /// <summary>HMAC-SHA256 (SHA-1 for deprecated policies) of <paramref name="data"/> into <paramref name="signature"/>.</summary>
    public static void Sign(SecurityPolicy policy, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(policy);
        PseudoRandomFunction.Mac(policy.Hash, key, data, signature[..policy.SymmetricSignatureSize]);
    }

    /// <summary>True when <paramref name="signature"/> is the HMAC of <paramref name="data"/> (constant time).</summary>
    public static bool Verify(SecurityPolicy policy, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Span<byte> expected = stackalloc byte[policy.SymmetricSignatureSize];
        PseudoRandomFunction.Mac(policy.Hash, key, data, expected);
        return signature.Length == expected.Length && CryptographicOperations.FixedTimeEquals(expected, signature);
    }

    /// <summary>The HMAC of <paramref name="data"/> with the keys' signing key (their long-lived HMAC) into <paramref name="signature"/>.</summary>
    public static void Sign(SecurityPolicy policy, SymmetricKeys keys, ReadOnlySpan<byte> data, Span<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(keys);
        keys.Sign(data, signature[..policy.SymmetricSignatureSize]);
    }

    /// <summary>True when <paramref name="signature"/> is the HMAC of <paramref name="data"/> with the keys' signing key (constant time).</summary>
    public static bool Verify(SecurityPolicy policy, SymmetricKeys keys, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(keys);
        return signature.Length == policy.SymmetricSignatureSize && keys.Verify(data, signature);
    }

    /// <summary>AES-CBC without padding (the message carries OPC UA padding), in place; length a multiple of 16.</summary>
    public static void Encrypt(SymmetricKeys keys, Span<byte> data)
    {
        ArgumentNullException.ThrowIfNull(keys);
        keys.EncryptInPlace(data);
    }

    /// <summary>AES-CBC decryption in place; false when the length is not a multiple of the block size.</summary>
    public static bool TryDecrypt(SymmetricKeys keys, Span<byte> data)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (data.Length % 16 != 0)
        {
            return false;
        }

        if (!data.IsEmpty)
        {
            keys.DecryptInPlace(data);
        }

        return true;
    }

    /// <summary>
    /// AES-CBC decryption in place without a copy in and out (the receive loop's path: the chunk is in a pooled
    /// array); false when the length is not a multiple of the block size.
    /// </summary>
    internal static bool TryDecryptInPlace(SymmetricKeys keys, ArraySegment<byte> data)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (data.Count % 16 != 0)
        {
            return false;
        }

        if (data.Count > 0)
        {
            keys.DecryptInPlace(data);
        }

        return true;
    }
}

/// <summary>
/// OPC UA message padding (OPC 10000-6 §6.7.2.5), before the signature of an encrypted chunk:
/// <code>| PaddingSize Byte | Padding Byte[n] (each = PaddingSize) | ExtraPaddingSize Byte (only for keys &gt; 2048 bit) |</code>
/// n is the 16-bit padding count: its low byte in PaddingSize, its high byte in ExtraPaddingSize.
/// </summary>
public static class MessagePadding
{
    /// <summary>Padding bytes n so that <paramref name="encryptedLength"/> + size byte(s) + n + signature fills whole blocks.</summary>
    public static int Count(int encryptedLength, int signatureSize, int plainBlockSize, bool extraPadding)
    {
        var overhead = extraPadding ? 2 : 1;
        var remainder = (encryptedLength + overhead + signatureSize) % plainBlockSize;
        return remainder == 0 ? 0 : plainBlockSize - remainder;
    }

    /// <summary>Bytes the padding takes: size byte(s) and n padding bytes.</summary>
    public static int Length(int count, bool extraPadding) => count + (extraPadding ? 2 : 1);

    /// <summary>Writes the padding for <paramref name="count"/> at the start of <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, int count, bool extraPadding)
    {
        var low = (byte)(count & 0xFF);
        destination[..(count + 1)].Fill(low);
        if (extraPadding)
        {
            destination[count + 1] = (byte)(count >> 8);
        }
    }

    /// <summary>
    /// Reads the padding that ends at the end of <paramref name="beforeSignature"/>; returns its total length or -1
    /// when it is malformed (a wrong padding byte, longer than the data).
    /// </summary>
    public static int Read(ReadOnlySpan<byte> beforeSignature, bool extraPadding)
    {
        var overhead = extraPadding ? 2 : 1;
        if (beforeSignature.Length < overhead)
        {
            return -1;
        }

        // The byte before ExtraPaddingSize (or the last one) is a padding byte or PaddingSize: both hold the low byte.
        var end = beforeSignature.Length;
        var count = extraPadding ? (beforeSignature[end - 1] << 8) | beforeSignature[end - 2] : beforeSignature[end - 1];
        var sizeAt = end - overhead - count;
        if (sizeAt < 0)
        {
            return -1;
        }

        var lowByte = (byte)(count & 0xFF);
        var padded = beforeSignature.Slice(sizeAt, count + 1);
        if (padded.IndexOfAnyExcept(lowByte) >= 0)
        {
            return -1;
        }

        return count + overhead;
    }
}
