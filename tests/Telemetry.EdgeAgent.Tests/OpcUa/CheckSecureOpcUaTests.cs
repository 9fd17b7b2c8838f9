using Telemetry.EdgeAgent.Commands;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.EdgeAgent.Tests.OpcUa;

/// <summary>
/// `telemetry-edge check` and `certs` (in process) with a secured OPC UA source: the technician's whole workflow
/// against node-opcua, and `certs show-own` with the config's ApplicationUri.
/// </summary>
public sealed class CheckSecureOpcUaTests
{
    [Fact]
    public async Task Check_SecuredSourceUntrustedPlc_FailsWithTrustCommandThenOkAfterCertsTrust()
    {
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { SecureOnly = true });
        using var dir = new TempDirectory("edge-check-opcua-trust");
        var config = await WriteConfigAsync(dir, plc.EndpointUrl, "    security: { mode: SignAndEncrypt, policy: Basic256Sha256 }\n");
        var pki = new PkiStore(dir.Combine("data", "pki"));

        var (code, output) = await CheckAsync(config);

        Assert.Equal(1, code);
        var rejected = Assert.Single(pki.List(CertificateStoreKind.Rejected));
        Assert.Matches(@"source press-plc \(opcua\)\s+opc\.tcp://127\.0\.0\.1:\d+\s+FAILED\s+Basic256Sha256 SignAndEncrypt \(refused\)", output);
        Assert.True(output.Contains("problem: BadCertificateUntrusted: The certificate of server urn:telemetry:opcua-plc", StringComparison.Ordinal), output);
        Assert.Contains($"thumbprint {rejected.Thumbprint}", output, StringComparison.Ordinal);
        Assert.Contains($"fix:     Check that the thumbprint is the PLC's (its OPC UA settings show it), then run `telemetry-edge certs trust {rejected.Thumbprint} --pki {pki.Root}`", output, StringComparison.Ordinal);

        var trust = RunCerts("trust", rejected.Thumbprint, "--config", config);
        Assert.True(trust.Code == 0, trust.Error);
        Assert.Contains($"Trusted {rejected.Subject} [{rejected.Thumbprint}]", trust.Output, StringComparison.Ordinal);

        var (again, secondOutput) = await CheckAsync(config);

        Assert.True(again == 0, secondOutput);
        Assert.Matches(@"source press-plc \(opcua\)\s+opc\.tcp://127\.0\.0\.1:\d+\s+ok\s+Basic256Sha256 SignAndEncrypt\s+\d+\s+\d+ ms\s+press-01/", secondOutput);
        // check created the agent's certificate; show-own shows that one (with the config's ApplicationUri) and makes none.
        var own = Assert.Single(pki.GetOwn());
        var show = RunCerts("show-own", "--config", config);
        Assert.True(show.Code == 0, show.Error);
        Assert.Contains("The application instance certificate:", show.Output, StringComparison.Ordinal);
        Assert.Contains($"thumbprint      {own.Thumbprint}", show.Output, StringComparison.Ordinal);
        Assert.Contains("application URI urn:telemetry:edge:edge-check", show.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertsShowOwn_ConfigWithOpcUaSection_CreatesCertificateWithItsApplicationUriInItsPki()
    {
        using var dir = new TempDirectory("edge-certs-own-config");
        var config = await WriteConfigAsync(dir, "opc.tcp://127.0.0.1:4840", "    security: { mode: Sign }\n", $"opcua: {{ pki: {dir.Combine("pki")}, application_uri: \"urn:acme:plant-a:edge\", application_name: Plant A edge }}\n");

        var (code, output, error) = RunCerts("show-own", "--config", config);

        Assert.True(code == 0, error);
        var own = Assert.Single(new PkiStore(dir.Combine("pki")).GetOwn());
        Assert.Equal("urn:acme:plant-a:edge", own.ApplicationUri);
        Assert.Contains("Created the application instance certificate", output, StringComparison.Ordinal);
        Assert.Contains("application URI urn:acme:plant-a:edge", output, StringComparison.Ordinal);
        Assert.Contains("subject         CN=Plant A edge", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("data", "pki")));

        // --pki alone shows what is there (no second certificate for a default URI).
        var (pkiCode, pkiOutput, pkiError) = RunCerts("show-own", "--pki", dir.Combine("pki"));
        Assert.True(pkiCode == 0, pkiError);
        Assert.Contains($"thumbprint      {own.Thumbprint}", pkiOutput, StringComparison.Ordinal);
        Assert.Single(new PkiStore(dir.Combine("pki")).GetOwn());
    }

    [Fact]
    public void CertsShowOwn_ApplicationUriNotAbsolute_UsageError()
    {
        using var dir = new TempDirectory("edge-certs-own-bad-uri");

        var (code, _, error) = RunCerts("show-own", "--pki", dir.Combine("pki"), "--application-uri", "edge-1");

        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("--application-uri 'edge-1' is not an absolute URI", error, StringComparison.Ordinal);
    }

    private static async Task<string> WriteConfigAsync(TempDirectory dir, string endpoint, string security, string top = "")
    {
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, $"""
            edge: {"{"} id: edge-check, site: plant-check, data_dir: {dir.Combine("data")} {"}"}
            {top}sources:
              - name: press-plc
                type: opcua
                endpoint: {endpoint}
                machine: press-01

            """ + security + """
                nodes:
                  - node: "nsu=urn:telemetry:plc;s=Counter"

            """);
        return path;
    }

    private static async Task<(int Code, string Output)> CheckAsync(string config)
    {
        var output = new StringWriter();
        var code = await ConfigCommands.CheckAsync(CommandOptions.Parse(["--config", config, "--timeout", "10"]), output, CancellationToken.None);
        return (code, output.ToString());
    }

    private static (int Code, string Output, string Error) RunCerts(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CertsCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
