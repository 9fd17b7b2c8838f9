using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Security;

/// <summary>
/// Revocation from the CRL files of the PKI folder (RFC 5280 §5): for every certificate of a chain whose issuer
/// published a CRL there (signature verified with the issuer's key), a listed serial number is BadCertificateRevoked.
/// Issuers without a CRL are not checked (the PKI may not use CRLs).
/// <code>
/// CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
/// TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name, thisUpdate Time,
///   nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time,
///   crlEntryExtensions Extensions OPTIONAL } OPTIONAL, crlExtensions [0] EXPLICIT Extensions OPTIONAL }
/// </code>
/// </summary>
internal static class CertificateRevocation
{
    public static void Check(List<X509Certificate2> chain, List<byte[]> crls, string server, string thumbprint)
    {
        if (crls.Count == 0)
        {
            return;
        }

        var parsed = new List<Crl>();
        foreach (var der in crls)
        {
            if (TryParse(der, out var crl))
            {
                parsed.Add(crl);
            }
        }

        for (var i = 0; i < chain.Count; i++)
        {
            var certificate = chain[i];
            var issuer = i + 1 < chain.Count ? chain[i + 1] : certificate; // a self-signed anchor issued itself
            var serial = new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true);
            foreach (var crl in parsed)
            {
                if (crl.Issuer.SequenceEqual(issuer.SubjectName.RawData) && crl.VerifySignature(issuer) && crl.Revoked.Contains(serial))
                {
                    throw new OpcUaException(
                        new StatusCode(i == 0 ? StatusCodes.BadCertificateRevoked : StatusCodes.BadCertificateIssuerRevoked),
                        i == 0
                            ? $"The certificate of {server} (thumbprint {thumbprint}) is revoked by a CRL of {issuer.Subject} in the PKI folder."
                            : $"The certificate of {server} (thumbprint {thumbprint}) chains to {certificate.Subject}, which a CRL of {issuer.Subject} revokes.");
                }
            }
        }
    }

    private static bool TryParse(byte[] der, out Crl crl)
    {
        crl = null!;
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbsBytes = outer.PeekEncodedValue().ToArray();
            var tbs = outer.ReadSequence();
            var algorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger(); // version
            }

            tbs.ReadSequence(); // signature algorithm (repeated)
            var issuer = tbs.ReadEncodedValue().ToArray();
            tbs.ReadEncodedValue(); // thisUpdate
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                tbs.ReadEncodedValue(); // nextUpdate
            }

            var revoked = new HashSet<BigInteger>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(new BigInteger(entry.ReadIntegerBytes().Span, isUnsigned: true, isBigEndian: true));
                }
            }

            crl = new Crl(tbsBytes, algorithm, signature, issuer, revoked);
            return true;
        }
        catch (AsnContentException)
        {
            return false; // not a CRL: ignored like a stray file
        }
    }

    private sealed record Crl(byte[] Tbs, string Algorithm, byte[] Signature, byte[] Issuer, HashSet<BigInteger> Revoked)
    {
        public bool VerifySignature(X509Certificate2 issuer)
        {
            HashAlgorithmName? hash = Algorithm switch
            {
                "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
                "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
                "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
                "1.2.840.113549.1.1.5" => HashAlgorithmName.SHA1,
                _ => null,
            };
            using var key = issuer.GetRSAPublicKey();
            return hash is { } h && key is not null && key.VerifyData(Tbs, Signature, h, RSASignaturePadding.Pkcs1);
        }
    }
}
