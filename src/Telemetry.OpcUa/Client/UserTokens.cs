using System.Buffers.Binary;
using System.Security.Cryptography.X509Certificates;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>
/// Builds the identity token (and its signature) for ActivateSession from the endpoint's user token policies
/// (OPC 10000-4 §7.41): anonymous; user name with the password encrypted to the server's certificate whenever the
/// token policy's security policy is not None (legacy secret format §7.41.2.2: <c>| length u32 | password | server nonce |</c>,
/// RSA-encrypted with the policy's asymmetric algorithm); X.509 with the server certificate + server nonce signed
/// by the user's key.
/// </summary>
internal static class UserTokens
{
    public static (IUaEncodable Token, SignatureData Signature) Create(
        UserIdentity identity, EndpointDescription endpoint, string endpointUrl, ReadOnlySpan<byte> serverNonce, ReadOnlySpan<byte> serverCertificate, bool allowDeprecated)
    {
        var policies = endpoint.UserIdentityTokens ?? [];
        switch (identity)
        {
            case UserNameIdentity user:
            {
                var policy = Array.Find(policies, p => p.TokenType == UserTokenType.UserName)
                    ?? throw new OpcUaException(new StatusCode(StatusCodes.BadIdentityTokenInvalid), $"{endpointUrl} does not accept user names on its {endpoint.SecurityName} endpoint.");
                var tokenPolicy = TokenPolicy(policy, endpoint);
                var password = System.Text.Encoding.UTF8.GetBytes(user.Password);
                if (tokenPolicy == SecurityPolicies.None)
                {
                    // Only the channel protects the password (the server's choice); on a None channel it travels in clear.
                    return (new UserNameIdentityToken(policy.PolicyId, user.UserName, password, null), SignatureData.Empty);
                }

                var security = SecurityPolicy.Get(tokenPolicy, allowDeprecated);
                var encrypted = EncryptSecret(security, password, serverNonce, serverCertificate, endpointUrl);
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(password);
                return (new UserNameIdentityToken(policy.PolicyId, user.UserName, encrypted, security.EncryptionAlgorithmUri), SignatureData.Empty);
            }

            case X509Identity x509:
            {
                var policy = Array.Find(policies, p => p.TokenType == UserTokenType.Certificate)
                    ?? throw new OpcUaException(new StatusCode(StatusCodes.BadIdentityTokenInvalid), $"{endpointUrl} does not accept X.509 user certificates on its {endpoint.SecurityName} endpoint.");
                var tokenPolicy = TokenPolicy(policy, endpoint);
                if (tokenPolicy == SecurityPolicies.None)
                {
                    throw new OpcUaException(
                        new StatusCode(StatusCodes.BadSecurityPolicyRejected),
                        $"{endpointUrl} offers X.509 user certificates without a security policy to sign with; use a Sign or SignAndEncrypt endpoint.");
                }

                var security = SecurityPolicy.Get(tokenPolicy, allowDeprecated);
                using var key = x509.Certificate.GetRSAPrivateKey()
                    ?? throw new OpcUaException(new StatusCode(StatusCodes.BadIdentityTokenInvalid), $"The user certificate {x509.Certificate.Subject} has no RSA private key.");
                var signature = AsymmetricCrypto.Sign(security, key, Concat(serverCertificate, serverNonce));
                return (new X509IdentityToken(policy.PolicyId, x509.Certificate.RawData), new SignatureData(security.SignatureAlgorithmUri, signature));
            }

            default:
            {
                var policy = Array.Find(policies, p => p.TokenType == UserTokenType.Anonymous)
                    ?? throw new OpcUaException(new StatusCode(StatusCodes.BadIdentityTokenInvalid), $"{endpointUrl} does not allow anonymous sessions: configure a user name or certificate.");
                return (new AnonymousIdentityToken(policy.PolicyId), SignatureData.Empty);
            }
        }
    }

    /// <summary>The token policy's own security policy, or the endpoint's when it names none (OPC 10000-4 §7.42).</summary>
    private static string TokenPolicy(UserTokenPolicy policy, EndpointDescription endpoint) =>
        string.IsNullOrEmpty(policy.SecurityPolicyUri) ? endpoint.SecurityPolicyUri ?? SecurityPolicies.None : policy.SecurityPolicyUri;

    internal static byte[] EncryptSecret(SecurityPolicy policy, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> serverNonce, ReadOnlySpan<byte> serverCertificate, string endpointUrl)
    {
        if (serverCertificate.IsEmpty || serverNonce.IsEmpty)
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadIdentityTokenInvalid),
                $"{endpointUrl} wants the password encrypted with {policy.Name} but sent no {(serverCertificate.IsEmpty ? "certificate" : "nonce")} to encrypt it with.");
        }

        using var certificate = X509CertificateLoader.LoadCertificate(CertificateThumbprint.Leaf(serverCertificate));
        using var key = certificate.GetRSAPublicKey()
            ?? throw new OpcUaException(new StatusCode(StatusCodes.BadCertificateInvalid), $"The certificate of {endpointUrl} has no RSA key to encrypt the password with.");
        var plain = new byte[4 + secret.Length + serverNonce.Length];
        BinaryPrimitives.WriteInt32LittleEndian(plain, secret.Length + serverNonce.Length);
        secret.CopyTo(plain.AsSpan(4));
        serverNonce.CopyTo(plain.AsSpan(4 + secret.Length));
        var encrypted = new byte[AsymmetricCrypto.EncryptedLength(policy, AsymmetricCrypto.KeyBytes(key), plain.Length)];
        AsymmetricCrypto.Encrypt(policy, key, plain, encrypted);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain);
        return encrypted;
    }

    internal static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length + b.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        return result;
    }
}
