using System.Security.Cryptography;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Security;

/// <summary>How a policy encrypts with RSA (OPC 10000-7 AsymmetricEncryptionAlgorithm).</summary>
public enum AsymmetricEncryption
{
    RsaPkcs15,
    RsaOaepSha1,
    RsaOaepSha256,
}

/// <summary>How a policy signs with RSA (OPC 10000-7 AsymmetricSignatureAlgorithm).</summary>
public enum AsymmetricSignature
{
    RsaPkcs15Sha1,
    RsaPkcs15Sha256,
    RsaPssSha256,
}

/// <summary>
/// One RSA security policy's parameters (OPC 10000-7 SecurityPolicy profiles; OPC 10000-6 §6.1 Table "SecurityPolicy"):
/// symmetric HMAC + AES-CBC with keys derived by P_SHA (§6.7.5), asymmetric RSA for OPN and session signatures.
/// </summary>
public sealed class SecurityPolicy
{
    private SecurityPolicy(
        string uri,
        HashAlgorithmName hash,
        int derivedSignatureKeyLength,
        int encryptionKeyLength,
        AsymmetricEncryption encryption,
        AsymmetricSignature signature,
        int nonceLength,
        int minKeyBits,
        int maxKeyBits,
        int rank,
        bool deprecated)
    {
        Uri = uri;
        Hash = hash;
        DerivedSignatureKeyLength = derivedSignatureKeyLength;
        EncryptionKeyLength = encryptionKeyLength;
        Encryption = encryption;
        Signature = signature;
        NonceLength = nonceLength;
        MinAsymmetricKeyBits = minKeyBits;
        MaxAsymmetricKeyBits = maxKeyBits;
        Rank = rank;
        IsDeprecated = deprecated;
    }

    public static SecurityPolicy Basic256Sha256 { get; } = new(
        SecurityPolicies.Basic256Sha256, HashAlgorithmName.SHA256, 32, 32, AsymmetricEncryption.RsaOaepSha1, AsymmetricSignature.RsaPkcs15Sha256, 32, 2048, 4096, 20, false);

    public static SecurityPolicy Aes128Sha256RsaOaep { get; } = new(
        SecurityPolicies.Aes128Sha256RsaOaep, HashAlgorithmName.SHA256, 32, 16, AsymmetricEncryption.RsaOaepSha1, AsymmetricSignature.RsaPkcs15Sha256, 32, 2048, 4096, 10, false);

    public static SecurityPolicy Aes256Sha256RsaPss { get; } = new(
        SecurityPolicies.Aes256Sha256RsaPss, HashAlgorithmName.SHA256, 32, 32, AsymmetricEncryption.RsaOaepSha256, AsymmetricSignature.RsaPssSha256, 32, 2048, 4096, 30, false);

    /// <summary>Deprecated (OPC 10000-7): SHA-1 everywhere; refused unless explicitly allowed.</summary>
    public static SecurityPolicy Basic256 { get; } = new(
        SecurityPolicies.Basic256, HashAlgorithmName.SHA1, 24, 32, AsymmetricEncryption.RsaOaepSha1, AsymmetricSignature.RsaPkcs15Sha1, 32, 1024, 2048, 2, true);

    /// <summary>Deprecated (OPC 10000-7): SHA-1 and RSA PKCS#1 v1.5 encryption; refused unless explicitly allowed.</summary>
    public static SecurityPolicy Basic128Rsa15 { get; } = new(
        SecurityPolicies.Basic128Rsa15, HashAlgorithmName.SHA1, 16, 16, AsymmetricEncryption.RsaPkcs15, AsymmetricSignature.RsaPkcs15Sha1, 16, 1024, 2048, 1, true);

    /// <summary>Every policy this client implements, most secure first.</summary>
    public static IReadOnlyList<SecurityPolicy> All { get; } = [Aes256Sha256RsaPss, Basic256Sha256, Aes128Sha256RsaOaep, Basic256, Basic128Rsa15];

    public string Uri { get; }

    public string Name => SecurityPolicies.ShortName(Uri);

    /// <summary>Hash of P_SHA key derivation and of the HMAC (SHA-256, or SHA-1 for the deprecated policies).</summary>
    public HashAlgorithmName Hash { get; }

    /// <summary>Bytes of the derived symmetric signing key.</summary>
    public int DerivedSignatureKeyLength { get; }

    /// <summary>Bytes of the AES key (16 or 32).</summary>
    public int EncryptionKeyLength { get; }

    /// <summary>AES block and IV size.</summary>
    public int SymmetricBlockSize { get; } = 16;

    /// <summary>Bytes of an HMAC signature (32 for SHA-256, 20 for SHA-1).</summary>
    public int SymmetricSignatureSize => Hash == HashAlgorithmName.SHA1 ? 20 : 32;

    public AsymmetricEncryption Encryption { get; }

    public AsymmetricSignature Signature { get; }

    /// <summary>SecureChannelNonceLength: bytes of the OPN and session nonces.</summary>
    public int NonceLength { get; }

    public int MinAsymmetricKeyBits { get; }

    public int MaxAsymmetricKeyBits { get; }

    public bool IsDeprecated { get; }

    /// <summary>Higher is more secure (endpoint choice).</summary>
    public int Rank { get; }

    /// <summary>The algorithm URI of <see cref="Signature"/> (SignatureData.Algorithm, OPC 10000-7).</summary>
    public string SignatureAlgorithmUri => Signature switch
    {
        AsymmetricSignature.RsaPkcs15Sha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        AsymmetricSignature.RsaPkcs15Sha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        _ => "http://opcfoundation.org/UA/security/rsa-pss-sha2-256",
    };

    /// <summary>The algorithm URI of <see cref="Encryption"/> (UserNameIdentityToken.EncryptionAlgorithm).</summary>
    public string EncryptionAlgorithmUri => Encryption switch
    {
        AsymmetricEncryption.RsaPkcs15 => "http://www.w3.org/2001/04/xmlenc#rsa-1_5",
        AsymmetricEncryption.RsaOaepSha1 => "http://www.w3.org/2001/04/xmlenc#rsa-oaep",
        _ => "http://opcfoundation.org/UA/security/rsa-oaep-sha2-256",
    };

    /// <summary>The policy for <paramref name="uri"/>, or null when this client does not implement it (None included).</summary>
    public static SecurityPolicy? Find(string? uri)
    {
        foreach (var policy in All)
        {
            if (string.Equals(policy.Uri, uri, StringComparison.Ordinal))
            {
                return policy;
            }
        }

        return null;
    }

    /// <summary>The policy for <paramref name="uri"/>; a deprecated one only when <paramref name="allowDeprecated"/>.</summary>
    public static SecurityPolicy Get(string? uri, bool allowDeprecated)
    {
        var policy = Find(uri) ?? throw new OpcUaException(
            new StatusCode(StatusCodes.BadSecurityPolicyRejected),
            $"Security policy {SecurityPolicies.ShortName(uri)} is not supported; use Basic256Sha256, Aes128_Sha256_RsaOaep or Aes256_Sha256_RsaPss.");
        if (policy.IsDeprecated && !allowDeprecated)
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadSecurityPolicyRejected),
                $"Security policy {policy.Name} is deprecated (OPC 10000-7: broken SHA-1); enable AllowDeprecatedPolicies to use it anyway.");
        }

        return policy;
    }

    /// <summary>Checks an RSA key size against the policy (e.g. the server certificate's).</summary>
    public void CheckKeySize(int keyBits, string whose)
    {
        if (keyBits < MinAsymmetricKeyBits || keyBits > MaxAsymmetricKeyBits)
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadCertificatePolicyCheckFailed),
                $"{whose} has a {keyBits}-bit RSA key; {Name} needs {MinAsymmetricKeyBits} to {MaxAsymmetricKeyBits} bits.");
        }
    }

    public override string ToString() => Name;
}
