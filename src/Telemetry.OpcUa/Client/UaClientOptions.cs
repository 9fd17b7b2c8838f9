using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;

namespace Telemetry.OpcUa.Client;

/// <summary>Who the session logs on as (OPC 10000-4 §7.41).</summary>
public abstract record UserIdentity
{
    public static UserIdentity Anonymous { get; } = new AnonymousIdentity();

    public static UserIdentity FromUserName(string userName, string password) => new UserNameIdentity(userName, password);

    /// <summary>An X.509 user certificate with its private key (the session signs the server nonce with it).</summary>
    public static UserIdentity FromCertificate(X509Certificate2 certificate) => new X509Identity(certificate);

    /// <summary>An X.509 user identity from a PEM certificate and PEM key file, or from a PKCS#12 file (key file null).</summary>
    public static UserIdentity FromCertificateFile(string certificateFile, string? keyFileOrPassword = null, bool pkcs12 = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificateFile);
        try
        {
            var certificate = pkcs12
                ? X509CertificateLoader.LoadPkcs12FromFile(certificateFile, keyFileOrPassword)
                : X509Certificate2.CreateFromPemFile(certificateFile, keyFileOrPassword);
            return certificate.HasPrivateKey
                ? new X509Identity(certificate)
                : throw new OpcUaException(new StatusCode(StatusCodes.BadIdentityTokenInvalid), $"{certificateFile}: the user certificate comes without its private key.");
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadIdentityTokenInvalid), $"Cannot load the user certificate {certificateFile}: {ex.Message}", ex);
        }
    }
}

public sealed record AnonymousIdentity : UserIdentity;

public sealed record UserNameIdentity(string UserName, string Password) : UserIdentity
{
    public override string ToString() => $"UserNameIdentity {{ UserName = {UserName} }}";
}

/// <summary>An X.509 user certificate identity (OPC 10000-4 §7.41.5); the certificate must hold its private key.</summary>
public sealed record X509Identity(X509Certificate2 Certificate) : UserIdentity
{
    public override string ToString() => $"X509Identity {{ Subject = {Certificate.Subject} }}";
}

/// <summary>Options of one <see cref="UaSession"/>; immutable, validated by <see cref="Validate"/> when the session is built.</summary>
public sealed record UaClientOptions
{
    public required string EndpointUrl { get; init; }

    public string ApplicationName { get; init; } = "Telemetry edge";

    public string ApplicationUri { get; init; } = "urn:telemetry:edge";

    public string SessionName { get; init; } = "Telemetry";

    public UserIdentity Identity { get; init; } = UserIdentity.Anonymous;

    /// <summary>Requested session timeout: the server keeps the session (and its subscriptions' queues) this long without a channel.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan ChannelLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>First and largest delay between reconnect attempts (exponential backoff with jitter in between).</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many monitored items per subscription (S7-1500 rejects more than 1,000).</summary>
    public int MaxItemsPerSubscription { get; init; } = 1000;

    /// <summary>
    /// Publish requests kept outstanding per session, at least: the session keeps one more than it has subscriptions
    /// when that is more (up to 20), so every subscription can answer while a response is on its way.
    /// </summary>
    public int PublishRequestCount { get; init; } = 3;

    public UaLimits Limits { get; init; } = UaLimits.Default;

    /// <summary>
    /// None (the default), Sign or SignAndEncrypt — exactly this mode is used; a server that does not offer it is an
    /// error naming what it offers, never a silent fallback to another mode (least of all to None).
    /// </summary>
    public MessageSecurityMode SecurityMode { get; init; } = MessageSecurityMode.None;

    /// <summary>
    /// The security policy URI (<see cref="SecurityPolicies"/>) to use, or null for the most secure one the server offers
    /// for <see cref="SecurityMode"/> (Aes256_Sha256_RsaPss, then Basic256Sha256, then Aes128_Sha256_RsaOaep).
    /// </summary>
    public string? SecurityPolicyUri { get; init; }

    /// <summary>Allow the deprecated SHA-1 policies Basic128Rsa15 and Basic256 (OPC 10000-7); off by default.</summary>
    public bool AllowDeprecatedPolicies { get; init; }

    /// <summary>
    /// The PKI folder (own/, trusted/, issuers/, rejected/; see <see cref="PkiStore"/>); required for Sign and
    /// SignAndEncrypt and for encrypted passwords. Our certificate is created there on first use.
    /// </summary>
    public string? PkiPath { get; init; }

    /// <summary>Host names for the subjectAltName of a certificate created on first use (default: this machine's name).</summary>
    public IReadOnlyList<string>? CertificateHostNames { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public void Validate()
    {
        SecureChannel.UaTcpEndpoint.Validate(EndpointUrl);
        if (SessionTimeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SessionTimeout), SessionTimeout, "The session timeout must be at least 1 s.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "The request timeout must be positive.");
        }

        if (MaxItemsPerSubscription < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxItemsPerSubscription), MaxItemsPerSubscription, "At least one item per subscription.");
        }

        if (PublishRequestCount is < 1 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(PublishRequestCount), PublishRequestCount, "Between 1 and 20 outstanding Publish requests.");
        }

        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), ReconnectMaxDelay, "Reconnect delays must be positive and max >= min.");
        }

        ValidateSecurity();
    }

    private void ValidateSecurity()
    {
        if (Identity is X509Identity { Certificate.HasPrivateKey: false } x509)
        {
            throw new ArgumentException($"The user certificate {x509.Certificate.Subject} has no private key.", nameof(Identity));
        }

        if (SecurityMode is not (MessageSecurityMode.None or MessageSecurityMode.Sign or MessageSecurityMode.SignAndEncrypt))
        {
            throw new ArgumentOutOfRangeException(nameof(SecurityMode), SecurityMode, "The security mode is None, Sign or SignAndEncrypt.");
        }

        if (SecurityMode == MessageSecurityMode.None)
        {
            if (SecurityPolicyUri is not null && SecurityPolicyUri != SecurityPolicies.None)
            {
                throw new ArgumentException(
                    $"Security policy {SecurityPolicies.ShortName(SecurityPolicyUri)} needs SecurityMode Sign or SignAndEncrypt; with None nothing would be signed.",
                    nameof(SecurityPolicyUri));
            }

            return;
        }

        if (SecurityPolicyUri is not null)
        {
            SecurityPolicy.Get(SecurityPolicyUri, AllowDeprecatedPolicies);
        }

        if (string.IsNullOrWhiteSpace(PkiPath))
        {
            throw new ArgumentException($"SecurityMode {SecurityMode} needs a PkiPath (the folder with own/, trusted/ and rejected/ certificates).", nameof(PkiPath));
        }

    }
}
