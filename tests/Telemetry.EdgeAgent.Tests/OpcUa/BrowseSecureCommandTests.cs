using Telemetry.Edge.Configuration;
using Telemetry.Edge.OpcUa;
using Telemetry.EdgeAgent.Commands;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.EdgeAgent.Tests.OpcUa;

/// <summary>
/// `telemetry-edge browse` (in process) with channel security, against node-opcua offering only secured endpoints
/// (Basic256Sha256 Sign / SignAndEncrypt, as an S7-1500 does by default): the technician's workflow from the refused
/// first attempt through `certs trust` to the tree and a pasteable secured source.
/// </summary>
public sealed class BrowseSecureCommandTests
{
    [Fact]
    public async Task Browse_SecureOnlyPlc_UntrustedThenCertsTrustThenTreeAndSecuredSnippet()
    {
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { SecureOnly = true });
        using var dir = new TempDirectory("edge-browse-secure");
        var pki = new PkiStore(dir.Combine("pki"));

        // Without security: the PLC has no None endpoint; the fix names --security.
        var (plainCode, plainOutput, plainError) = await BrowseAsync(plc.EndpointUrl);
        Assert.Equal(CommandLine.Failed, plainCode);
        Assert.Empty(plainOutput);
        Assert.True(plainError.Contains("fix: The PLC offers only secured endpoints: browse with --security sign-and-encrypt", StringComparison.Ordinal), plainError);

        // First secured attempt, with the agent's config (its opcua.pki): the PLC's certificate is not trusted yet; it
        // lands in rejected/ and the error names the command for that folder.
        var config = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(config, $$"""
            edge: { id: edge-b, site: plant-b, data_dir: {{dir.Combine("data")}} }
            opcua: { pki: {{pki.Root}} }
            sources:
              - name: sim
                type: simulator
                machines:
                  - { name: cnc-01, profile: cnc-mill }

            """);
        var (code, output, error) = await BrowseAsync(plc.EndpointUrl, "--security", "sign-and-encrypt", "--policy", "Basic256Sha256", "--config", config);
        Assert.Equal(CommandLine.Failed, code);
        Assert.Empty(output);
        var rejected = Assert.Single(pki.List(CertificateStoreKind.Rejected));
        Assert.True(error.Contains($"cannot browse {plc.EndpointUrl}: BadCertificateUntrusted: The certificate of server urn:telemetry:opcua-plc", StringComparison.Ordinal), error);
        Assert.Contains($"thumbprint {rejected.Thumbprint}", error, StringComparison.Ordinal);
        Assert.Contains($"fix: Check that the thumbprint is the PLC's (its OPC UA settings show it), then run `telemetry-edge certs trust {rejected.Thumbprint} --pki {pki.Root}` and browse again.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        var own = Assert.Single(pki.GetOwn()); // the agent's certificate (the config's ApplicationUri), for the PLC's trust list
        Assert.Equal("urn:telemetry:edge:edge-b", own.ApplicationUri);
        Assert.False(Directory.Exists(dir.Combine("data", "pki")));

        var trust = CertsCommand.Run(["trust", rejected.Thumbprint, "--pki", pki.Root], new StringWriter(), new StringWriter());
        Assert.Equal(CommandLine.Ok, trust);

        // Trusted: the tree, over SignAndEncrypt, with a user and the password from the environment.
        Environment.SetEnvironmentVariable("TELEMETRY_BROWSE_TEST_PASSWORD", "secret");
        var (treeCode, tree, treeError) = await BrowseAsync(plc.EndpointUrl, "--security", "sign-and-encrypt", "--policy", "Basic256Sha256", "--pki", pki.Root,
            "--user", "operator", "--password-env", "TELEMETRY_BROWSE_TEST_PASSWORD", "--depth", "3");
        Assert.True(treeCode == 0, treeError);
        Assert.Contains($"{plc.EndpointUrl} (Basic256Sha256 SignAndEncrypt); namespaces: 0=http://opcfoundation.org/UA/", tree, StringComparison.Ordinal);
        Assert.Matches(@"\n      Force  nsu=urn:telemetry:machines;s=Press1\.Force  Double = -?\d", tree);

        // Sign, no policy named (the most secure the PLC offers): a snippet that loads as a secured source.
        var (snippetCode, snippet, snippetError) = await BrowseAsync(plc.EndpointUrl, "--security", "sign", "--pki", pki.Root, "--snippet", "Objects/Machines/Press1");
        Assert.True(snippetCode == 0, snippetError);
        Assert.Contains("    security: { mode: Sign, policy: Basic256Sha256 }\n", snippet, StringComparison.Ordinal);
        var parsed = EdgeConfigLoader.Parse($"edge: {{ id: e, site: plant-a, data_dir: {dir.Combine("data")} }}\nsources:\n" + snippet, "snippet.yaml");
        var source = Assert.IsType<OpcUaSourceConfig>(Assert.Single(parsed.Sources));
        Assert.Equal(new OpcUaSecurity(MessageSecurityMode.Sign, SecurityPolicies.Basic256Sha256), source.Options.Security);
        Assert.Equal(3, source.Options.Nodes.Count);
        Assert.Equal(own.Thumbprint, Assert.Single(pki.GetOwn()).Thumbprint); // --pki alone reused the agent's certificate
    }

    [Fact]
    public async Task Browse_PolicyWithoutSecurity_UsageErrorNamingSecurity()
    {
        var error = await Assert.ThrowsAsync<CommandLineException>(() => BrowseAsync("opc.tcp://127.0.0.1:4840", "--policy", "Basic256Sha256"));

        Assert.Equal("--policy Basic256Sha256 needs --security sign or sign-and-encrypt; with none nothing is signed or encrypted.", error.Message);
    }

    [Theory]
    [InlineData("--security", "encrypt", "--security 'encrypt': expected none, sign or sign-and-encrypt.")]
    [InlineData("--policy", "Basic128", "--policy 'Basic128': expected one of: Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss (or leave it out for the most secure one the PLC offers).")]
    [InlineData("--policy", "Basic256", "--policy Basic256 is deprecated (SHA-1) and browse does not use it; expected one of: Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss.")]
    public async Task Browse_BadSecurityOption_UsageErrorNamingIt(string option, string value, string expected)
    {
        using var dir = new TempDirectory("edge-browse-bad-option");
        string[] args = option == "--policy"
            ? ["opc.tcp://127.0.0.1:4840", "--security", "sign", "--pki", dir.Path, option, value]
            : ["opc.tcp://127.0.0.1:4840", option, value];

        var error = await Assert.ThrowsAsync<CommandLineException>(() => BrowseAsync(args));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task Browse_SecuredWithPkiAndConfig_UsageError()
    {
        var error = await Assert.ThrowsAsync<CommandLineException>(() => BrowseAsync("opc.tcp://127.0.0.1:4840", "--security", "sign", "--pki", "/tmp/x", "--config", "/tmp/edge.yaml"));

        Assert.Equal("Give either --pki DIR or --config FILE, not both.", error.Message);
    }

    private static async Task<(int Code, string Output, string Error)> BrowseAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var options = CommandOptions.Parse(BrowseCommand.Arguments(["browse", .. args]));
        var code = await BrowseCommand.RunAsync(options, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
