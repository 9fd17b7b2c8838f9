using System.Security.Cryptography.X509Certificates;
using Telemetry.EdgeAgent.Commands;
using Telemetry.OpcUa.Security;
using Telemetry.Testing;

namespace Telemetry.EdgeAgent.Tests;

/// <summary>`telemetry-edge certs` (run in process) on a PKI folder in a temp directory.</summary>
public sealed class CertsCommandTests : IClassFixture<CertsCommandTests.PlcCertificates>
{
    private readonly PlcCertificates _certificates;

    public CertsCommandTests(PlcCertificates certificates) => _certificates = certificates;

    [Fact]
    public void ShowOwn_NoCertificate_CreatesAndPrintsIt()
    {
        using var dir = new TempDirectory("edge-certs-own");
        var config = WriteConfig(dir);

        var (code, output, error) = Run("show-own", "--config", config);

        Assert.True(code == 0, error);
        var own = Assert.Single(new PkiStore(dir.Combine("data", "pki")).GetOwn());
        Assert.Contains("Created the application instance certificate", output, StringComparison.Ordinal);
        Assert.Contains($"thumbprint      {own.Thumbprint}", output, StringComparison.Ordinal);
        Assert.Contains("application URI urn:telemetry:edge", output, StringComparison.Ordinal);
        Assert.Contains($"file            {own.Path}", output, StringComparison.Ordinal);
        Assert.Matches(@"valid           \d{4}-\d\d-\d\d \d\d:\d\d to \d{4}-", output);

        // A second call shows the same certificate and creates none.
        var (again, secondOutput, _) = Run("show-own", "--config", config);
        Assert.Equal(0, again);
        Assert.Contains("The application instance certificate:", secondOutput, StringComparison.Ordinal);
        Assert.Contains(own.Thumbprint, secondOutput, StringComparison.Ordinal);
        Assert.Single(new PkiStore(dir.Combine("data", "pki")).GetOwn());
    }

    [Fact]
    public void List_RejectedCertificate_ListedFirstWithTrustHint()
    {
        using var dir = new TempDirectory("edge-certs-list");
        var pki = new PkiStore(dir.Combine("pki"));
        pki.Trust(WriteDer(dir, _certificates.Trusted));
        pki.SaveRejected(_certificates.Plc);
        var thumbprint = CertificateThumbprint.ToHex(_certificates.Plc.RawData);

        var (code, output, error) = Run("list", "--pki", pki.Root);

        Assert.True(code == 0, error);
        var rejectedAt = output.IndexOf($"rejected  {thumbprint}", StringComparison.Ordinal);
        var trustedAt = output.IndexOf($"trusted   {CertificateThumbprint.ToHex(_certificates.Trusted.RawData)}", StringComparison.Ordinal);
        Assert.True(rejectedAt >= 0 && trustedAt > rejectedAt, output);
        Assert.Contains("CN=PLC 1, O=Telemetry", output, StringComparison.Ordinal);
        Assert.Contains("urn:plc1:server", output, StringComparison.Ordinal);
        Assert.Contains($"trust it: telemetry-edge certs trust {thumbprint} --pki {pki.Root}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void List_ExpiredCertificate_MarkedExpired()
    {
        using var dir = new TempDirectory("edge-certs-expired");
        var pki = new PkiStore(dir.Combine("pki"));
        pki.Trust(WriteDer(dir, _certificates.Expired));

        var (code, output, error) = Run("list", "--pki", pki.Root);

        Assert.True(code == 0, error);
        Assert.Matches(@"trusted   [0-9A-F]{40}  CN=Old PLC.*EXPIRED", output);
    }

    [Fact]
    public void Trust_ThumbprintPrefixOfRejected_MovesItToTrusted()
    {
        using var dir = new TempDirectory("edge-certs-trust");
        var pki = new PkiStore(dir.Combine("pki"));
        pki.SaveRejected(_certificates.Plc);
        var thumbprint = CertificateThumbprint.ToHex(_certificates.Plc.RawData);

        var (code, output, error) = Run("trust", thumbprint[..10].ToLowerInvariant(), "--pki", pki.Root);

        Assert.True(code == 0, error);
        Assert.Contains($"Trusted CN=PLC 1, O=Telemetry [{thumbprint}]", output, StringComparison.Ordinal);
        Assert.Empty(pki.List(CertificateStoreKind.Rejected));
        Assert.Equal(thumbprint, Assert.Single(pki.List(CertificateStoreKind.Trusted)).Thumbprint);
    }

    [Fact]
    public void Trust_CertificateFile_CopiesItToTrusted()
    {
        using var dir = new TempDirectory("edge-certs-file");
        var pki = new PkiStore(dir.Combine("pki"));
        var file = dir.Combine("plc1.pem");
        File.WriteAllText(file, _certificates.Plc.ExportCertificatePem());

        var (code, output, error) = Run("trust", file, "--pki", pki.Root);

        Assert.True(code == 0, error);
        var trusted = Assert.Single(pki.List(CertificateStoreKind.Trusted));
        Assert.Equal(CertificateThumbprint.ToHex(_certificates.Plc.RawData), trusted.Thumbprint);
        Assert.Contains($"now in {trusted.Path}", output, StringComparison.Ordinal);
        Assert.True(File.Exists(file));
    }

    [Fact]
    public void Reject_TrustedThumbprint_MovesItToRejected()
    {
        using var dir = new TempDirectory("edge-certs-reject");
        var pki = new PkiStore(dir.Combine("pki"));
        var thumbprint = pki.Trust(WriteDer(dir, _certificates.Plc)).Thumbprint;

        var (code, output, error) = Run("reject", thumbprint, "--pki", pki.Root);

        Assert.True(code == 0, error);
        Assert.Contains($"Rejected CN=PLC 1, O=Telemetry [{thumbprint}]", output, StringComparison.Ordinal);
        Assert.Contains($"telemetry-edge certs trust {thumbprint}", output, StringComparison.Ordinal);
        Assert.Empty(pki.List(CertificateStoreKind.Trusted));
        Assert.Equal(thumbprint, Assert.Single(pki.List(CertificateStoreKind.Rejected)).Thumbprint);
    }

    [Fact]
    public void Trust_UnknownThumbprint_ClearErrorExitOne()
    {
        using var dir = new TempDirectory("edge-certs-unknown");
        var pki = new PkiStore(dir.Combine("pki"));
        pki.SaveRejected(_certificates.Plc);

        var (code, output, error) = Run("trust", "DEADBEEF00", "--pki", pki.Root);

        Assert.Equal(CommandLine.Failed, code);
        Assert.Empty(output);
        Assert.Contains("No certificate with thumbprint DEADBEEF00 in ", error, StringComparison.Ordinal);
        Assert.Contains("telemetry-edge certs list", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Single(pki.List(CertificateStoreKind.Rejected));
    }

    [Fact]
    public void Trust_FileThatIsNoCertificate_ClearErrorNamingIt()
    {
        using var dir = new TempDirectory("edge-certs-bad");
        var file = dir.Combine("notes.txt");
        File.WriteAllText(file, "not a certificate");

        var (code, _, error) = Run("trust", file, "--pki", dir.Combine("pki"));

        Assert.Equal(CommandLine.Failed, code);
        Assert.Contains($"{file} is not a DER or PEM certificate", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("certs needs what to do")]
    [InlineData("Unknown certs command 'trusted'", "trusted", "x")]
    [InlineData("certs trust needs a thumbprint", "trust", "--pki", "/tmp/x")]
    [InlineData("'certs list' has no option --pkk", "list", "--pkk", "/tmp/x")]
    [InlineData("--config /nonexistent/edge.yaml: no such file", "list", "--config", "/nonexistent/edge.yaml")]
    [InlineData("either --pki DIR or --config FILE", "list", "--config", "a.yaml", "--pki", "b")]
    public void Run_BadArguments_UsageErrorExitTwo(string message, params string[] args)
    {
        var (code, _, error) = Run(args);

        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CertsCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string WriteConfig(TempDirectory dir)
    {
        var path = dir.Combine("edge.yaml");
        File.WriteAllText(path, $"""
            edge: {"{"} id: edge-certs, site: plant-certs, data_dir: {dir.Combine("data")} {"}"}
            sources:
              - name: sim
                type: simulator
                machines:
                  - {"{"} name: cnc-01, profile: cnc-mill {"}"}
            """);
        return path;
    }

    private static string WriteDer(TempDirectory dir, X509Certificate2 certificate)
    {
        var path = dir.Combine($"{Guid.NewGuid():N}.der");
        File.WriteAllBytes(path, certificate.RawData);
        return path;
    }

    /// <summary>Server certificates, created once (RSA key generation is slow).</summary>
    public sealed class PlcCertificates : IDisposable
    {
        public X509Certificate2 Plc { get; } = ApplicationCertificateFactory.Create("urn:plc1:server", "PLC 1", ["127.0.0.1"]);

        public X509Certificate2 Trusted { get; } = ApplicationCertificateFactory.Create("urn:plc2:server", "PLC 2", ["127.0.0.1"]);

        public X509Certificate2 Expired { get; } = ApplicationCertificateFactory.Create(
            "urn:old:server", "Old PLC", ["127.0.0.1"], notBefore: DateTimeOffset.UtcNow.AddDays(-30), lifetime: TimeSpan.FromDays(10));

        public void Dispose()
        {
            Plc.Dispose();
            Trusted.Dispose();
            Expired.Dispose();
        }
    }
}
