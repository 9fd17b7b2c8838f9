using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Security.Cryptography.X509Certificates;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Security;

/// <summary>
/// Validates a server's application instance certificate before the client trusts its channel (OPC 10000-4 §6.1.3):
/// it must parse, be within its validity dates, allow digital signatures and key encipherment, carry the
/// ApplicationUri the server describes itself with, fit the policy's key sizes, be trusted (itself or a CA it
/// chains to, in trusted/, intermediates in issuers/), and not be revoked by a CRL in trusted/crl or issuers/crl.
/// A certificate that is merely unknown is copied to rejected/ and the error tells the operator how to trust it.
/// </summary>
public sealed class ServerCertificateValidator
{
    private readonly PkiStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ServerCertificateValidator(PkiStore store, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The command an operator runs to trust a rejected certificate.</summary>
    public static string TrustCommand(string thumbprint) => $"telemetry-edge certs trust {thumbprint}";

    /// <summary>Returns the parsed certificate, or throws an <see cref="OpcUaException"/> that names the server, the thumbprint and the fix.</summary>
    public X509Certificate2 Validate(ReadOnlySpan<byte> der, string? applicationUri, string endpointUrl, SecurityPolicy? policy)
    {
        if (der.IsEmpty)
        {
            throw Fail(StatusCodes.BadCertificateInvalid, $"{endpointUrl} sent no server certificate for a secured endpoint.");
        }

        X509Certificate2 certificate;
        try
        {
            // A certificate chain may follow the leaf (OPC 10000-6 §6.2.3): validate the leaf.
            certificate = X509CertificateLoader.LoadCertificate(CertificateThumbprint.Leaf(der));
        }
        catch (CryptographicException ex)
        {
            throw Fail(StatusCodes.BadCertificateInvalid, $"{endpointUrl} sent a server certificate that does not parse: {ex.Message}", ex);
        }

        try
        {
            Check(certificate, applicationUri, endpointUrl, policy);
            return certificate;
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private void Check(X509Certificate2 certificate, string? applicationUri, string endpointUrl, SecurityPolicy? policy)
    {
        var thumbprint = CertificateThumbprint.ToHex(certificate.RawData);
        var server = $"server {applicationUri ?? "(no ApplicationUri)"} at {endpointUrl}";
        var now = _time.GetUtcNow().UtcDateTime;
        var notBefore = certificate.NotBefore.ToUniversalTime();
        var notAfter = certificate.NotAfter.ToUniversalTime();
        if (now < notBefore || now > notAfter)
        {
            throw Fail(
                StatusCodes.BadCertificateTimeInvalid,
                $"The certificate of {server} (thumbprint {thumbprint}) is valid from {notBefore:u} to {notAfter:u}; it is {(now > notAfter ? "expired" : "not yet valid")} ({now:u}). Renew the server's certificate (or fix its clock); trusting it does not help.");
        }

        if (certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage
            && ((usage.KeyUsages & X509KeyUsageFlags.DigitalSignature) == 0
                || (usage.KeyUsages & (X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment)) == 0))
        {
            throw Fail(
                StatusCodes.BadCertificateUseNotAllowed,
                $"The certificate of {server} (thumbprint {thumbprint}) allows {usage.KeyUsages}; an application instance certificate needs DigitalSignature and KeyEncipherment (OPC 10000-6 §6.2.2).");
        }

        var certificateUri = ApplicationCertificateFactory.GetApplicationUri(certificate);
        if (!string.IsNullOrEmpty(applicationUri) && !string.Equals(certificateUri, applicationUri, StringComparison.Ordinal))
        {
            throw Fail(
                StatusCodes.BadCertificateUriInvalid,
                $"The certificate of {server} (thumbprint {thumbprint}) names ApplicationUri {certificateUri ?? "(none)"}, but the server describes itself as {applicationUri}. The server's certificate must be reissued with its own ApplicationUri; trusting it does not help.");
        }

        if (policy is not null)
        {
            using var key = certificate.GetRSAPublicKey()
                ?? throw Fail(StatusCodes.BadCertificatePolicyCheckFailed, $"The certificate of {server} (thumbprint {thumbprint}) has no RSA key; {policy.Name} needs one.");
            policy.CheckKeySize(key.KeySize, $"The certificate of {server} (thumbprint {thumbprint})");
        }

        var trusted = _store.LoadCertificates(CertificateStoreKind.Trusted);
        var issuers = _store.LoadCertificates(CertificateStoreKind.Issuers);
        try
        {
            var chain = TrustedChain(certificate, trusted, issuers, now);
            if (chain is null)
            {
                var saved = _store.SaveRejected(certificate);
                Log.ServerCertificateRejected(_logger, server, thumbprint, saved);
                throw Fail(
                    StatusCodes.BadCertificateUntrusted,
                    $"The certificate of {server} is not trusted: {certificate.Subject}, thumbprint {thumbprint}, valid until {notAfter:u}. It was saved to {saved}. If this is the right server, trust it with: {TrustCommand(thumbprint)}");
            }

            CertificateRevocation.Check(chain, _store.LoadCrls(), server, thumbprint);
        }
        finally
        {
            foreach (var c in trusted.Concat(issuers))
            {
                c.Dispose();
            }
        }
    }

    /// <summary>The chain leaf → … → trusted anchor, or null when nothing in trusted/ vouches for the certificate.</summary>
    private static List<X509Certificate2>? TrustedChain(X509Certificate2 certificate, List<X509Certificate2> trusted, List<X509Certificate2> issuers, DateTime now)
    {
        foreach (var t in trusted)
        {
            if (t.RawData.AsSpan().SequenceEqual(certificate.RawData))
            {
                return [certificate];
            }
        }

        if (trusted.Count == 0)
        {
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(issuers.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // CRLs from the PKI folder are checked by us
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreWrongUsage; // OPC UA certificates need not carry TLS usages
        if (!chain.Build(certificate))
        {
            return null;
        }

        return [.. chain.ChainElements.Select(e => e.Certificate)];
    }

    private static OpcUaException Fail(uint code, string message, Exception? inner = null) => new(new StatusCode(code), message, inner);
}
