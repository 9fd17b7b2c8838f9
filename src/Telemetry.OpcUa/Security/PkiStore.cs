using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Security;

/// <summary>Which folder of the PKI a certificate is in.</summary>
public enum CertificateStoreKind
{
    Own,
    Trusted,
    Issuers,
    Rejected,
}

/// <summary>What a CLI prints about one certificate.</summary>
public sealed record CertificateInfo(
    string Thumbprint,
    string Subject,
    string? ApplicationUri,
    DateTime NotBefore,
    DateTime NotAfter,
    CertificateStoreKind Store,
    string Path)
{
    internal static CertificateInfo From(X509Certificate2 certificate, CertificateStoreKind store, string path) => new(
        CertificateThumbprint.ToHex(certificate.RawData),
        certificate.Subject,
        ApplicationCertificateFactory.GetApplicationUri(certificate),
        certificate.NotBefore.ToUniversalTime(),
        certificate.NotAfter.ToUniversalTime(),
        store,
        path);
}

/// <summary>
/// The PKI folder of the client (the OPC UA directory layout): <c>own/certs</c> + <c>own/private</c> (our application
/// instance certificate, created on first use), <c>trusted/certs</c> + <c>trusted/crl</c> (servers and CAs we trust),
/// <c>issuers/certs</c> + <c>issuers/crl</c> (intermediate CAs to build chains, not trusted by themselves) and
/// <c>rejected/certs</c> (certificates we refused, waiting for an operator). Certificates are DER files named
/// <c>&lt;common name&gt; [&lt;SHA-1 thumbprint&gt;].der</c>. This is the API behind <c>telemetry-edge certs</c>:
/// <see cref="List"/>, <see cref="Trust"/>, <see cref="Reject"/>, <see cref="GetOwn"/>. Every call reads the folders
/// again, so a certificate trusted by the CLI counts at the next connect without a restart.
/// </summary>
public sealed class PkiStore
{
    public PkiStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = System.IO.Path.GetFullPath(root);
    }

    public string Root { get; }

    public string OwnCertificates => System.IO.Path.Combine(Root, "own", "certs");

    public string OwnPrivateKeys => System.IO.Path.Combine(Root, "own", "private");

    public string TrustedCertificates => System.IO.Path.Combine(Root, "trusted", "certs");

    public string TrustedCrls => System.IO.Path.Combine(Root, "trusted", "crl");

    public string IssuerCertificates => System.IO.Path.Combine(Root, "issuers", "certs");

    public string IssuerCrls => System.IO.Path.Combine(Root, "issuers", "crl");

    public string RejectedCertificates => System.IO.Path.Combine(Root, "rejected", "certs");

    /// <summary>Creates the folders (private keys readable by the owner only).</summary>
    public void EnsureFolders()
    {
        foreach (var folder in new[] { OwnCertificates, TrustedCertificates, TrustedCrls, IssuerCertificates, IssuerCrls, RejectedCertificates })
        {
            Directory.CreateDirectory(folder);
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(OwnPrivateKeys);
        }
        else
        {
            Directory.CreateDirectory(OwnPrivateKeys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Our application instance certificate for <paramref name="applicationUri"/> (its SAN URI), with its private key;
    /// created (RSA 2048, SHA-256, see <see cref="ApplicationCertificateFactory"/>) and saved on first use or when the
    /// existing one expired.
    /// </summary>
    public X509Certificate2 GetOrCreateOwnCertificate(string applicationUri, string applicationName, IReadOnlyList<string>? hostNames = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationUri);
        EnsureFolders();
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        foreach (var file in Directory.EnumerateFiles(OwnPrivateKeys, "*.pfx"))
        {
            X509Certificate2 candidate;
            try
            {
                candidate = X509CertificateLoader.LoadPkcs12FromFile(file, password: null, X509KeyStorageFlags.Exportable);
            }
            catch (CryptographicException ex)
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadCertificateInvalid), $"{file} is not a readable PKCS#12 file ({ex.Message}); move it away to create a new certificate.", ex);
            }

            if (candidate.HasPrivateKey && ApplicationCertificateFactory.GetApplicationUri(candidate) == applicationUri
                && candidate.NotBefore.ToUniversalTime() <= now && now < candidate.NotAfter.ToUniversalTime())
            {
                return candidate;
            }

            candidate.Dispose();
        }

        var hosts = hostNames ?? [System.Net.Dns.GetHostName()];
        var created = ApplicationCertificateFactory.Create(applicationUri, applicationName, hosts);
        var name = FileName(created);
        File.WriteAllBytes(System.IO.Path.Combine(OwnCertificates, name + ".der"), created.RawData);
        var pfx = System.IO.Path.Combine(OwnPrivateKeys, name + ".pfx");
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllBytes(pfx, created.Export(X509ContentType.Pkcs12));
        }
        else
        {
            using var stream = new FileStream(pfx, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            stream.Write(created.Export(X509ContentType.Pkcs12));
        }

        return created;
    }

    /// <summary>Our certificates (show-own): what a server administrator must trust.</summary>
    public IReadOnlyList<CertificateInfo> GetOwn() => Read(OwnCertificates, CertificateStoreKind.Own);

    /// <summary>Every certificate of the given folders (all but own when none given).</summary>
    public IReadOnlyList<CertificateInfo> List(params CertificateStoreKind[] stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        var which = stores.Length == 0 ? [CertificateStoreKind.Trusted, CertificateStoreKind.Issuers, CertificateStoreKind.Rejected] : stores;
        var result = new List<CertificateInfo>();
        foreach (var store in which)
        {
            result.AddRange(Read(FolderOf(store), store));
        }

        return result;
    }

    /// <summary>
    /// Trusts a certificate: a thumbprint (or a unique prefix of at least 8 hex digits) of a rejected certificate moves
    /// it to trusted/; a file path (DER or PEM) copies it to trusted/. Returns what is now trusted.
    /// </summary>
    public CertificateInfo Trust(string thumbprintOrFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(thumbprintOrFile);
        EnsureFolders();
        if (File.Exists(thumbprintOrFile))
        {
            using var certificate = LoadFile(thumbprintOrFile);
            var target = System.IO.Path.Combine(TrustedCertificates, FileName(certificate) + ".der");
            File.WriteAllBytes(target, certificate.RawData);
            RemoveFrom(RejectedCertificates, CertificateThumbprint.ToHex(certificate.RawData));
            return CertificateInfo.From(certificate, CertificateStoreKind.Trusted, target);
        }

        return Move(thumbprintOrFile, CertificateStoreKind.Rejected, CertificateStoreKind.Trusted);
    }

    /// <summary>Stops trusting a certificate: moves it from trusted/ to rejected/.</summary>
    public CertificateInfo Reject(string thumbprint) => Move(thumbprint, CertificateStoreKind.Trusted, CertificateStoreKind.Rejected);

    /// <summary>Saves a refused certificate to rejected/ (replacing an older copy); returns its path.</summary>
    public string SaveRejected(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        EnsureFolders();
        var path = System.IO.Path.Combine(RejectedCertificates, FileName(certificate) + ".der");
        File.WriteAllBytes(path, certificate.RawData);
        return path;
    }

    internal List<X509Certificate2> LoadCertificates(CertificateStoreKind store)
    {
        var result = new List<X509Certificate2>();
        var folder = FolderOf(store);
        if (!Directory.Exists(folder))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(folder))
        {
            try
            {
                result.Add(LoadFile(file));
            }
            catch (OpcUaException)
            {
                // a stray file (README, a key) in a certificate folder is not a certificate
            }
        }

        return result;
    }

    internal List<byte[]> LoadCrls()
    {
        var result = new List<byte[]>();
        foreach (var folder in new[] { TrustedCrls, IssuerCrls })
        {
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.EnumerateFiles(folder))
                {
                    var bytes = File.ReadAllBytes(file);
                    result.Add(bytes.Length > 0 && bytes[0] == (byte)'-' ? PemCrl(System.Text.Encoding.ASCII.GetString(bytes), file) : bytes);
                }
            }
        }

        return result;
    }

    private static byte[] PemCrl(string pem, string file)
    {
        var fields = System.Security.Cryptography.PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]) is { Length: > 0 } der
            ? der
            : throw new OpcUaException(new StatusCode(StatusCodes.BadCertificateInvalid), $"{file} holds no CRL.");
    }

    private static X509Certificate2 LoadFile(string file)
    {
        try
        {
            var bytes = File.ReadAllBytes(file);
            return bytes.Length > 0 && bytes[0] == (byte)'-'
                ? X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(bytes))
                : X509CertificateLoader.LoadCertificate(bytes);
        }
        catch (CryptographicException ex)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadCertificateInvalid), $"{file} is not a DER or PEM certificate: {ex.Message}", ex);
        }
    }

    private static string FileName(X509Certificate2 certificate)
    {
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var safe = new string([.. name.Select(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_' or '.' ? c : '_')]).Trim();
        return $"{(safe.Length == 0 ? "certificate" : safe)} [{CertificateThumbprint.ToHex(certificate.RawData)}]";
    }

    private string FolderOf(CertificateStoreKind store) => store switch
    {
        CertificateStoreKind.Own => OwnCertificates,
        CertificateStoreKind.Trusted => TrustedCertificates,
        CertificateStoreKind.Issuers => IssuerCertificates,
        _ => RejectedCertificates,
    };

    private static List<CertificateInfo> Read(string folder, CertificateStoreKind store)
    {
        var result = new List<CertificateInfo>();
        if (!Directory.Exists(folder))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            try
            {
                using var certificate = LoadFile(file);
                result.Add(CertificateInfo.From(certificate, store, file));
            }
            catch (OpcUaException)
            {
            }
        }

        return result;
    }

    private CertificateInfo Move(string thumbprint, CertificateStoreKind from, CertificateStoreKind to)
    {
        var key = thumbprint.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (key.Length < 8)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadInvalidArgument), $"'{thumbprint}' is too short: give the certificate's SHA-1 thumbprint (40 hex digits, or at least 8 of them).");
        }

        var matches = Read(FolderOf(from), from).Where(c => c.Thumbprint.StartsWith(key, StringComparison.Ordinal)).ToList();
        if (matches.Count == 0)
        {
            var elsewhere = Read(FolderOf(to), to).Any(c => c.Thumbprint.StartsWith(key, StringComparison.Ordinal));
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadNotFound),
                elsewhere
                    ? $"Certificate {thumbprint} is already in {FolderOf(to)}."
                    : $"No certificate with thumbprint {thumbprint} in {FolderOf(from)} (`telemetry-edge certs list` shows them).");
        }

        if (matches.Count > 1)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadInvalidArgument), $"Thumbprint prefix {thumbprint} matches {matches.Count} certificates: give more digits.");
        }

        var match = matches[0];
        Directory.CreateDirectory(FolderOf(to));
        var target = System.IO.Path.Combine(FolderOf(to), System.IO.Path.GetFileName(match.Path));
        File.Move(match.Path, target, overwrite: true);
        return match with { Store = to, Path = target };
    }

    private static void RemoveFrom(string folder, string thumbprint)
    {
        foreach (var info in Read(folder, CertificateStoreKind.Rejected))
        {
            if (info.Thumbprint == thumbprint)
            {
                File.Delete(info.Path);
            }
        }
    }
}
