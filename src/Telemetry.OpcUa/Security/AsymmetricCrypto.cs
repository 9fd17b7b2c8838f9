using System.Security.Cryptography;

namespace Telemetry.OpcUa.Security;

/// <summary>
/// The asymmetric algorithms of a policy (OPC 10000-6 §6.7.2, OPC 10000-7): RSA encryption block by block
/// (RSA-OAEP SHA-1 / SHA-256, PKCS#1 v1.5 for Basic128Rsa15) and RSA signatures (PKCS#1 v1.5 SHA-256 / SHA-1, PSS SHA-256).
/// </summary>
public static class AsymmetricCrypto
{
    /// <summary>Plaintext bytes per RSA block: key size minus the padding overhead (OAEP-SHA1 42, OAEP-SHA256 66, PKCS#1 v1.5 11).</summary>
    public static int PlainBlockSize(SecurityPolicy policy, int keyBytes)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return keyBytes - policy.Encryption switch
        {
            AsymmetricEncryption.RsaPkcs15 => 11,
            AsymmetricEncryption.RsaOaepSha1 => 42,
            _ => 66,
        };
    }

    public static RSAEncryptionPadding EncryptionPadding(SecurityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Encryption switch
        {
            AsymmetricEncryption.RsaPkcs15 => RSAEncryptionPadding.Pkcs1,
            AsymmetricEncryption.RsaOaepSha1 => RSAEncryptionPadding.OaepSHA1,
            _ => RSAEncryptionPadding.OaepSHA256,
        };
    }

    public static (HashAlgorithmName Hash, RSASignaturePadding Padding) SignatureAlgorithm(SecurityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Signature switch
        {
            AsymmetricSignature.RsaPkcs15Sha1 => (HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1),
            AsymmetricSignature.RsaPkcs15Sha256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        };
    }

    /// <summary>Key size in bytes (= signature size and cipher block size).</summary>
    public static int KeyBytes(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return (key.KeySize + 7) / 8;
    }

    /// <summary>Bytes the encryption of <paramref name="plainLength"/> bytes takes (a multiple of the key size).</summary>
    public static int EncryptedLength(SecurityPolicy policy, int keyBytes, int plainLength)
    {
        var plainBlock = PlainBlockSize(policy, keyBytes);
        return (plainLength + plainBlock - 1) / plainBlock * keyBytes;
    }

    /// <summary>Encrypts <paramref name="plaintext"/> in plain blocks into <paramref name="destination"/>; returns bytes written.</summary>
    public static int Encrypt(SecurityPolicy policy, RSA publicKey, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var keyBytes = KeyBytes(publicKey);
        var plainBlock = PlainBlockSize(policy, keyBytes);
        var padding = EncryptionPadding(policy);
        var written = 0;
        for (var offset = 0; offset < plaintext.Length; offset += plainBlock)
        {
            var block = plaintext.Slice(offset, Math.Min(plainBlock, plaintext.Length - offset));
            if (!publicKey.TryEncrypt(block, destination.Slice(written, keyBytes), padding, out var n) || n != keyBytes)
            {
                throw new CryptographicException("RSA encryption produced an unexpected length.");
            }

            written += keyBytes;
        }

        return written;
    }

    /// <summary>
    /// Decrypts whole cipher blocks into <paramref name="destination"/>; returns bytes written, or -1 when the
    /// ciphertext is not whole blocks or does not decrypt (a tampered or foreign message).
    /// </summary>
    public static int TryDecrypt(SecurityPolicy policy, RSA privateKey, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        var keyBytes = KeyBytes(privateKey);
        if (ciphertext.Length == 0 || ciphertext.Length % keyBytes != 0)
        {
            return -1;
        }

        var padding = EncryptionPadding(policy);
        var plainBlock = PlainBlockSize(policy, keyBytes);
        var written = 0;
        for (var offset = 0; offset < ciphertext.Length; offset += keyBytes)
        {
            try
            {
                if (!privateKey.TryDecrypt(ciphertext.Slice(offset, keyBytes), destination[written..], padding, out var n) || n > plainBlock)
                {
                    return -1;
                }

                written += n;
            }
            catch (CryptographicException)
            {
                return -1;
            }
        }

        return written;
    }

    /// <summary>Signs <paramref name="data"/>; the signature is the key size long.</summary>
    public static byte[] Sign(SecurityPolicy policy, RSA privateKey, ReadOnlySpan<byte> data)
    {
        var signature = new byte[KeyBytes(privateKey)];
        Sign(policy, privateKey, data, signature);
        return signature;
    }

    public static void Sign(SecurityPolicy policy, RSA privateKey, ReadOnlySpan<byte> data, Span<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var (hash, padding) = SignatureAlgorithm(policy);
        if (!privateKey.TrySignData(data, signature, hash, padding, out var written) || written != signature.Length)
        {
            throw new CryptographicException("RSA signature produced an unexpected length.");
        }
    }

    public static bool Verify(SecurityPolicy policy, RSA publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var (hash, padding) = SignatureAlgorithm(policy);
        try
        {
            return publicKey.VerifyData(data, signature, hash, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
