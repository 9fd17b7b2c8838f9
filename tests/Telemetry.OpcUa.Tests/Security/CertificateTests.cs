using System.Security.Cryptography.X509Certificates;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Security;
using Telemetry.Testing;

namespace Telemetry.OpcUa.Tests.Security;

public sealed class ApplicationCertificateFactoryTests
{
    [Fact]
    public void Create_Defaults_FollowsOpc10000Part6Section622()
    {
        using var certificate = ApplicationCertificateFactory.Create("urn:plant:edge", "Telemetry edge", ["edge-pc", "10.0.0.5"]);

        Assert.Equal(2048, certificate.GetRSAPublicKey()!.KeySize);
        Assert.Equal("1.2.840.113549.1.1.11", certificate.SignatureAlgorithm.Value); // sha256WithRSAEncryption
        Assert.Equal(3, certificate.Version);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        Assert.Contains("CN=Telemetry edge", certificate.Subject, StringComparison.Ordinal);
        Assert.Contains("O=Telemetry", certificate.Subject, StringComparison.Ordinal);
        Assert.Equal("urn:plant:edge", ApplicationCertificateFactory.GetApplicationUri(certificate));
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("edge-pc", san.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Parse("10.0.0.5"), san.EnumerateIPAddresses());
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical);
        Assert.Equal(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyCertSign,
            usage.KeyUsages);
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Contains(eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        Assert.Contains(eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.2");
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(certificate.HasPrivateKey);
    }
}

public sealed class PkiStoreTests
{
    [Fact]
    public void GetOrCreateOwnCertificate_FirstRun_CreatesOnceAndReusesIt()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);

        using var first = store.GetOrCreateOwnCertificate("urn:plant:edge", "Telemetry edge", ["edge-pc"]);
        using var second = store.GetOrCreateOwnCertificate("urn:plant:edge", "Telemetry edge", ["edge-pc"]);

        Assert.Equal(first.Thumbprint, second.Thumbprint);
        Assert.True(second.HasPrivateKey);
        var own = Assert.Single(store.GetOwn());
        Assert.Equal("urn:plant:edge", own.ApplicationUri);
        foreach (var folderName in new[] { "own/certs", "own/private", "trusted/certs", "trusted/crl", "issuers/certs", "issuers/crl", "rejected/certs" })
        {
            Assert.True(Directory.Exists(Path.Combine(folder.Path, folderName)), folderName);
        }

        if (!OperatingSystem.IsWindows())
        {
            var key = Assert.Single(Directory.GetFiles(store.OwnPrivateKeys));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    [Fact]
    public void GetOrCreateOwnCertificate_OtherApplicationUri_CreatesAnother()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);

        using var first = store.GetOrCreateOwnCertificate("urn:plant:edge", "Telemetry edge", ["edge-pc"]);
        using var second = store.GetOrCreateOwnCertificate("urn:plant:edge2", "Telemetry edge", ["edge-pc"]);

        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.Equal(2, store.GetOwn().Count);
    }

    [Fact]
    public void Trust_RejectedThumbprint_MovesItToTrustedAndRejectMovesItBack()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);
        using var server = ApplicationCertificateFactory.Create("urn:test:server", "PLC", ["plc"]);
        store.SaveRejected(server);
        var thumbprint = CertificateThumbprint.ToHex(server.RawData);

        var trusted = store.Trust(thumbprint[..10].ToLowerInvariant());

        Assert.Equal(CertificateStoreKind.Trusted, trusted.Store);
        Assert.Equal(thumbprint, Assert.Single(store.List(CertificateStoreKind.Trusted)).Thumbprint);
        Assert.Empty(store.List(CertificateStoreKind.Rejected));

        store.Reject(thumbprint);

        Assert.Empty(store.List(CertificateStoreKind.Trusted));
        Assert.Equal(thumbprint, Assert.Single(store.List()).Thumbprint);
    }

    [Fact]
    public void Trust_FilePath_CopiesTheCertificateToTrusted()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(Path.Combine(folder.Path, "pki"));
        using var server = ApplicationCertificateFactory.Create("urn:test:server", "PLC", ["plc"]);
        var file = Path.Combine(folder.Path, "plc.pem");
        File.WriteAllText(file, server.ExportCertificatePem());

        var trusted = store.Trust(file);

        Assert.Equal(CertificateThumbprint.ToHex(server.RawData), trusted.Thumbprint);
        Assert.Equal("urn:test:server", Assert.Single(store.List(CertificateStoreKind.Trusted)).ApplicationUri);
    }

    [Theory]
    [InlineData("0123456789ABCDEF", "No certificate with thumbprint")]
    [InlineData("01AB", "too short")]
    public void Trust_UnknownOrShortThumbprint_SaysWhatToDo(string thumbprint, string expected)
    {
        using var folder = new TempDirectory("uasec-pki");

        var ex = Assert.Throws<OpcUaException>(() => new PkiStore(folder.Path).Trust(thumbprint));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}

public sealed class ServerCertificateValidatorTests
{
    private const string Url = "opc.tcp://plc:4840";

    [Fact]
    public void Validate_UnknownCertificate_CopiedToRejectedAndTheErrorNamesServerThumbprintAndCommand()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);
        using var server = ApplicationCertificateFactory.Create("urn:test:server", "PLC", ["plc"]);
        var thumbprint = CertificateThumbprint.ToHex(server.RawData);

        var ex = Assert.Throws<OpcUaException>(() => new ServerCertificateValidator(store).Validate(server.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256));

        Assert.Equal(StatusCodes.BadCertificateUntrusted, ex.StatusCode.Code);
        Assert.Contains("urn:test:server", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Url, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"telemetry-edge certs trust {thumbprint}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(thumbprint, Assert.Single(store.List(CertificateStoreKind.Rejected)).Thumbprint);
    }

    [Fact]
    public void Validate_TrustedCertificate_ReturnsIt()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);
        using var server = ApplicationCertificateFactory.Create("urn:test:server", "PLC", ["plc"]);
        store.SaveRejected(server);
        store.Trust(CertificateThumbprint.ToHex(server.RawData));

        using var validated = new ServerCertificateValidator(store).Validate(server.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256);

        Assert.Equal(server.Thumbprint, validated.Thumbprint);
    }

    [Fact]
    public void Validate_ExpiredCertificate_BadCertificateTimeInvalidEvenWhenTrusted()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);
        using var server = ApplicationCertificateFactory.Create("urn:test:server", "PLC", ["plc"], notBefore: DateTimeOffset.UtcNow.AddYears(-3), lifetime: TimeSpan.FromDays(365));
        store.Trust(WriteDer(folder, server));

        var ex = Assert.Throws<OpcUaException>(() => new ServerCertificateValidator(store).Validate(server.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256));

        Assert.Equal(StatusCodes.BadCertificateTimeInvalid, ex.StatusCode.Code);
        Assert.Contains("expired", ex.Message, StringComparison.Ordinal);
        Assert.Contains(CertificateThumbprint.ToHex(server.RawData), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateForAnotherApplicationUri_BadCertificateUriInvalid()
    {
        using var folder = new TempDirectory("uasec-pki");
        using var server = ApplicationCertificateFactory.Create("urn:someone:else", "PLC", ["plc"]);

        var ex = Assert.Throws<OpcUaException>(() => new ServerCertificateValidator(new PkiStore(folder.Path)).Validate(server.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256));

        Assert.Equal(StatusCodes.BadCertificateUriInvalid, ex.StatusCode.Code);
        Assert.Contains("urn:someone:else", ex.Message, StringComparison.Ordinal);
        Assert.Contains("urn:test:server", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoKeyEncipherment_BadCertificateUseNotAllowed()
    {
        using var folder = new TempDirectory("uasec-pki");
        using var server = CertificateTestFactory.CreateSelfSigned("urn:test:server", X509KeyUsageFlags.DigitalSignature);

        var ex = Assert.Throws<OpcUaException>(() => new ServerCertificateValidator(new PkiStore(folder.Path)).Validate(server.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256));

        Assert.Equal(StatusCodes.BadCertificateUseNotAllowed, ex.StatusCode.Code);
    }

    [Fact]
    public void Validate_1024BitKeyForBasic256Sha256_BadCertificatePolicyCheckFailed()
    {
        using var folder = new TempDirectory("uasec-pki");
        using var server = CertificateTestFactory.CreateSelfSigned("urn:test:server", X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, 1024);

        var ex = Assert.Throws<OpcUaException>(() => new ServerCertificateValidator(new PkiStore(folder.Path)).Validate(server.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256));

        Assert.Equal(StatusCodes.BadCertificatePolicyCheckFailed, ex.StatusCode.Code);
    }

    [Fact]
    public void Validate_IssuedByTrustedCa_TrustedWithoutTheLeafInTrusted()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);
        using var ca = CertificateTestFactory.CreateCa("Plant CA");
        using var server = CertificateTestFactory.CreateIssued(ca, "urn:test:server", 1);
        store.Trust(WriteDer(folder, ca));

        using var validated = new ServerCertificateValidator(store).Validate(server.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256);

        Assert.Equal(server.Thumbprint, validated.Thumbprint);
    }

    [Fact]
    public void Validate_RevokedByTheCaCrl_BadCertificateRevoked()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);
        using var ca = CertificateTestFactory.CreateCa("Plant CA");
        using var revoked = CertificateTestFactory.CreateIssued(ca, "urn:test:server", 1);
        using var good = CertificateTestFactory.CreateIssued(ca, "urn:test:server", 2);
        store.Trust(WriteDer(folder, ca));
        File.WriteAllBytes(Path.Combine(store.TrustedCrls, "plant-ca.crl"), CertificateTestFactory.CreateCrl(ca, revoked));
        var validator = new ServerCertificateValidator(store);

        var ex = Assert.Throws<OpcUaException>(() => validator.Validate(revoked.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256));

        Assert.Equal(StatusCodes.BadCertificateRevoked, ex.StatusCode.Code);
        Assert.Contains("revoked", ex.Message, StringComparison.Ordinal);
        validator.Validate(good.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256).Dispose();
    }

    [Fact]
    public void Validate_CrlSignedBySomeoneElse_IsIgnored()
    {
        using var folder = new TempDirectory("uasec-pki");
        var store = new PkiStore(folder.Path);
        using var ca = CertificateTestFactory.CreateCa("Plant CA");
        using var impostor = CertificateTestFactory.CreateCa("Plant CA"); // same name, other key
        using var server = CertificateTestFactory.CreateIssued(ca, "urn:test:server", 1);
        store.Trust(WriteDer(folder, ca));
        File.WriteAllBytes(Path.Combine(store.IssuerCrls, "forged.crl"), CertificateTestFactory.CreateCrl(impostor, server));

        using var validated = new ServerCertificateValidator(store).Validate(server.RawData, "urn:test:server", Url, SecurityPolicy.Basic256Sha256);

        Assert.Equal(server.Thumbprint, validated.Thumbprint);
    }

    [Fact]
    public void Validate_EmptyOrGarbage_BadCertificateInvalid()
    {
        using var folder = new TempDirectory("uasec-pki");
        var validator = new ServerCertificateValidator(new PkiStore(folder.Path));

        Assert.Equal(StatusCodes.BadCertificateInvalid, Assert.Throws<OpcUaException>(() => validator.Validate([], "urn:x", Url, null)).StatusCode.Code);
        Assert.Equal(StatusCodes.BadCertificateInvalid, Assert.Throws<OpcUaException>(() => validator.Validate([0x30, 0x03, 1, 2, 3], "urn:x", Url, null)).StatusCode.Code);
    }

    private static string WriteDer(TempDirectory folder, X509Certificate2 certificate)
    {
        var file = Path.Combine(folder.Path, Guid.NewGuid().ToString("N") + ".der");
        File.WriteAllBytes(file, certificate.RawData);
        return file;
    }
}
