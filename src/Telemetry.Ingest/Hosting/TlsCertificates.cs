using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Hosting;

/// <summary>The HTTPS certificate from the configuration, and client-certificate checks against the configured CA.</summary>
public static class TlsCertificates
{
    public static X509Certificate2 LoadServerCertificate(TlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        try
        {
            var extension = Path.GetExtension(tls.CertificatePath).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
            {
                return X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.Password);
            }

            if (tls.KeyPath is null)
            {
                throw new IngestConfigException($"tls.key: the PEM certificate {tls.CertificatePath} needs its key file (tls.key).");
            }

            using var pem = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath);
            // Re-import so the key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new IngestConfigException($"tls.certificate: cannot load {tls.CertificatePath}: {ex.Message}", ex);
        }
    }

    public static void ConfigureHttps(HttpsConnectionAdapterOptions https, TlsOptions tls, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(tls);
        https.ServerCertificate = certificate;
        https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
        if (tls.ClientCertificates == Configuration.ClientCertificateMode.None)
        {
            return;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(tls.ClientCaPath!);
        https.ClientCertificateMode = tls.ClientCertificates == Configuration.ClientCertificateMode.Require
            ? Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate
            : Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
        https.ClientCertificateValidation = (certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        };
    }
}
