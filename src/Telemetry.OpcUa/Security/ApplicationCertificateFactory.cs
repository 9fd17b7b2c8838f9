using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Telemetry.OpcUa.Security;

/// <summary>
/// Creates self-signed application instance certificates as OPC 10000-6 §6.2.2 describes them: X.509 v3, RSA
/// (2048 bit by default) signed with SHA-256, subject CN = application name and O = organization, subjectAltName
/// with the ApplicationUri (URI) and the host names (DNS, or IP for addresses), keyUsage digitalSignature,
/// nonRepudiation, keyEncipherment, dataEncipherment and keyCertSign (self-signed), extendedKeyUsage serverAuth and
/// clientAuth, basicConstraints cA = false, subject and authority key identifiers.
/// </summary>
public static class ApplicationCertificateFactory
{
    public static X509Certificate2 Create(
        string applicationUri,
        string applicationName,
        IReadOnlyList<string> hostNames,
        int keySize = 2048,
        DateTimeOffset? notBefore = null,
        TimeSpan? lifetime = null,
        string organization = "Telemetry")
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationUri);
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ArgumentNullException.ThrowIfNull(hostNames);
        if (!Uri.TryCreate(applicationUri, UriKind.Absolute, out _))
        {
            throw new ArgumentException($"The ApplicationUri '{applicationUri}' is not an absolute URI (e.g. urn:host:telemetry-edge).", nameof(applicationUri));
        }

        using var key = RSA.Create(keySize);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(applicationName);
        subject.AddOrganizationName(organization);
        if (hostNames.Count > 0 && !IPAddress.TryParse(hostNames[0], out _))
        {
            subject.AddDomainComponent(hostNames[0]);
        }

        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(applicationUri));
        foreach (var host in hostNames)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment
            | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyCertSign,
            critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "serverAuth"), new Oid("1.3.6.1.5.5.7.3.2", "clientAuth")],
            critical: false));
        var subjectKeyId = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(subjectKeyId);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKeyId));

        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive INTEGER
        return request.Create(subject.Build(), X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1), from, from + (lifetime ?? TimeSpan.FromDays(5 * 365)), serial)
            .CopyWithPrivateKey(key);
    }

    /// <summary>The ApplicationUri in a certificate's subjectAltName (the first URI), or null.</summary>
    public static string? GetApplicationUri(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                foreach (var uri in SubjectAlternativeUris(san))
                {
                    return uri;
                }
            }
        }

        return null;
    }

    private static List<string> SubjectAlternativeUris(X509SubjectAlternativeNameExtension san)
    {
        // GeneralName uniformResourceIdentifier [6] IA5String (RFC 5280 §4.2.1.6); .NET enumerates only DNS and IP.
        var reader = new System.Formats.Asn1.AsnReader(san.RawData, System.Formats.Asn1.AsnEncodingRules.DER);
        var names = reader.ReadSequence();
        var uris = new List<string>();
        var uriTag = new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 6);
        while (names.HasData)
        {
            var tag = names.PeekTag();
            if (tag.HasSameClassAndValue(uriTag))
            {
                uris.Add(names.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                names.ReadEncodedValue();
            }
        }

        return uris;
    }

    internal static BigInteger Serial(X509Certificate2 certificate) =>
        new(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true);
}
