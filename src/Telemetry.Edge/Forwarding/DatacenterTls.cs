using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Telemetry.Edge.Forwarding;

/// <summary>TLS to the datacenter: trust a configured CA (or the system store) and optionally present a client certificate.</summary>
public sealed record DatacenterTlsOptions
{
    /// <summary>PEM file of the CA(s) the datacenter's certificate must chain to; null: the system trust store.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate for mutual TLS; needs <see cref="ClientKeyFile"/>.</summary>
    public string? ClientCertificateFile { get; init; }

    public string? ClientKeyFile { get; init; }

    public void Validate()
    {
        foreach (var (file, what) in new[] { (CaFile, "ca"), (ClientCertificateFile, "client_cert"), (ClientKeyFile, "client_key") })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new ArgumentException($"tls.{what}: the file {file} does not exist.");
            }
        }

        if ((ClientCertificateFile is null) != (ClientKeyFile is null))
        {
            throw new ArgumentException("tls: a client certificate needs its key (client_cert and client_key go together).");
        }
    }
}

/// <summary>Applies <see cref="DatacenterTlsOptions"/> to the forwarder's HTTP handler and explains refusals.</summary>
public static class DatacenterTls
{
    public static void Apply(SocketsHttpHandler handler, DatacenterTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(tls);
        if (tls.CaFile is { } caFile)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            if (roots.Count == 0)
            {
                throw new ArgumentException($"tls.ca: {caFile} holds no PEM certificate.");
            }

            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is X509Certificate2 server && ChainsTo(server, roots) && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        }

        if (tls.ClientCertificateFile is { } certFile && tls.ClientKeyFile is { } keyFile)
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);

            // A PEM key is ephemeral; some platforms only send client certificates whose key can be persisted.
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            handler.SslOptions.ClientCertificates = [certificate];
        }
    }

    /// <summary>The sentence the forwarder and `check` show when the TLS handshake fails.</summary>
    public static string Explain(Uri uri, DatacenterTlsOptions? tls, string detail)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var trust = tls?.CaFile is { } ca ? $"the CA in {ca}" : "this PC's trusted CAs (set datacenter.tls.ca to the datacenter's CA file)";
        return $"TLS to {uri.Host}:{uri.Port} failed ({detail}). The datacenter's certificate must chain to {trust} and name '{uri.Host}'"
            + (tls?.ClientCertificateFile is null ? "; if the datacenter requires a client certificate, set datacenter.tls.client_cert and client_key." : ".");
    }

    private static bool ChainsTo(X509Certificate2 server, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }
}
