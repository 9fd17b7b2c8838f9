using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Telemetry.Edge.Mqtt.Client;

/// <summary>
/// Checks a broker certificate: chains to the configured CA (or the system store), names the host (unless turned
/// off), and matches the pin when one is set. Remembers why the last check failed, for the error message.
/// </summary>
internal sealed class MqttTlsValidator
{
    private readonly MqttTlsOptions _options;
    private readonly X509Certificate2Collection? _trust;

    public MqttTlsValidator(MqttTlsOptions options)
    {
        _options = options;
        if (options.CaFile is not null)
        {
            _trust = [];
            _trust.ImportFromPemFile(options.CaFile);
        }
    }

    public string? LastFailure { get; private set; }

    public X509Certificate2Collection? LoadClientCertificates()
    {
        if (_options.ClientCertificateFile is null || _options.ClientKeyFile is null)
        {
            return null;
        }

        using var pem = X509Certificate2.CreateFromPemFile(_options.ClientCertificateFile, _options.ClientKeyFile);
        // SslStream wants a certificate whose key is not ephemeral: round-trip through PKCS#12.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        return [certificate];
    }

    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            LastFailure = "the broker sent no certificate";
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        if (_options.CheckHostName && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            LastFailure = $"the broker certificate '{leaf.Subject}' does not name the host (set Tls.ServerName or turn off the host-name check)";
            return false;
        }

        if (_trust is null)
        {
            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                LastFailure = $"the broker certificate '{leaf.Subject}' is not trusted by the system store (set Tls.CaFile)";
                return false;
            }
        }
        else
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_trust);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(leaf))
            {
                var status = chain.ChainStatus.Length > 0 ? chain.ChainStatus[0].StatusInformation.Trim() : "unknown";
                LastFailure = $"the broker certificate '{leaf.Subject}' does not chain to the CA in '{_options.CaFile}' ({status})";
                return false;
            }
        }

        if (_options.NormalizedPin is { } pin)
        {
            var actual = Convert.ToHexString(SHA256.HashData(leaf.RawData));
            if (!string.Equals(actual, pin, StringComparison.Ordinal))
            {
                LastFailure = $"the broker certificate's SHA-256 {actual} does not match the pinned {pin}";
                return false;
            }
        }

        LastFailure = null;
        return true;
    }
}
