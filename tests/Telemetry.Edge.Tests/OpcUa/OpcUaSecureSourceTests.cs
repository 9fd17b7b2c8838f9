using Telemetry.Core;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Storage;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>One node-opcua PLC with None and every policy x Sign/SignAndEncrypt, shared by <see cref="OpcUaSecureSourceTests"/>.</summary>
public sealed class SecureEdgePlcFixture : IAsyncLifetime
{
    public OpcUaPlcPeer Plc { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        Plc = await OpcUaPlcPeer.StartAsync(
            new OpcUaPlcOptions
            {
                ExtraArguments = ["--security-policies", "None,Basic256Sha256,Aes128_Sha256_RsaOaep,Aes256_Sha256_RsaPss", "--security-modes", "None,Sign,SignAndEncrypt"],
            },
            cts.Token);
    }

    public async Task DisposeAsync() => await Plc.DisposeAsync();
}

/// <summary>
/// The edge's OPC UA source configured from edge.yaml with security, against node-opcua, into a real spool: the
/// technician's workflow (the PLC's certificate lands in rejected/, the status names the trust command, trusting it
/// lets the running source connect), every policy x mode, user name and X.509 user identities.
/// </summary>
[Collection(OpcUaSourceCollection.Name)]
public sealed class OpcUaSecureSourceTests(SecureEdgePlcFixture fixture) : IClassFixture<SecureEdgePlcFixture>
{
    private const string CounterNode = "      - { node: \"nsu=urn:telemetry:plc;s=Counter\", machine: plc-1, tag: counter, sampling_interval: 0ms }\n";

    [Fact]
    public async Task RunAsync_SignAndEncryptBasic256Sha256UserName_UntrustedPlcRejectedThenTrustedValuesInSpool()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var dir = new TempDirectory("opcua-secure-source");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = Load(dir, fixture.Plc.EndpointUrl, """
                security: { mode: SignAndEncrypt, policy: Basic256Sha256 }
                username: operator
                password: { env: PLC_PASSWORD }
            """);
        var source = new OpcUaSource(options);
        using var tail = new SpoolTail(spool);

        var run = source.RunAsync(spool, cts.Token);
        await WaitAsync(() => source.GetHealth().LastError?.Contains("is not trusted", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30), "the untrusted-certificate status");

        var health = source.GetHealth();
        var pki = new PkiStore(options.PkiPath!);
        var rejected = Assert.Single(pki.List(CertificateStoreKind.Rejected));
        Assert.Equal(SourceLinkState.Reconnecting, health.State);
        Assert.Contains("server urn:telemetry:opcua-plc", health.LastError, StringComparison.Ordinal);
        Assert.Contains($"trust it with: telemetry-edge certs trust {rejected.Thumbprint} --pki {pki.Root}", health.LastError, StringComparison.Ordinal);
        Assert.Contains("no restart needed", health.LastError, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(dir.Combine("data", "pki"), "rejected", "certs"), Path.GetDirectoryName(rejected.Path));
        Assert.Empty(tail.Read());
        var own = Assert.Single(pki.GetOwn());
        Assert.Equal("urn:telemetry:edge:edge-1", own.ApplicationUri);

        pki.Trust(rejected.Thumbprint); // what `telemetry-edge certs trust` does
        await tail.WaitUntilAsync(t => t.Of("plc-1", "counter").Count >= 5, TimeSpan.FromSeconds(30), "counter values after trusting the PLC");

        Assert.False(run.IsCompleted);
        Assert.Equal(SourceLinkState.Connected, source.GetHealth().State);
        Assert.Equal((SecurityPolicies.Basic256Sha256, MessageSecurityMode.SignAndEncrypt), (source.Session!.Endpoint!.SecurityPolicyUri, source.Session.Endpoint.SecurityMode));
        var counter = tail.Of("plc-1", "counter");
        Assert.All(counter, s => Assert.Equal(new Quality(QualityLevel.Good, 0), s.Quality));
        Assert.True(counter[^1].Value.AsInt64() > counter[0].Value.AsInt64());
        Assert.Single(pki.GetOwn()); // the session used the certificate the source created, no second one

        await cts.CancelAsync();
        await run;
    }

    public static TheoryData<string, string> PolicyModes()
    {
        var data = new TheoryData<string, string>();
        foreach (var policy in new[] { "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss" })
        {
            data.Add(policy, "Sign");
            data.Add(policy, "SignAndEncrypt");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PolicyModes))]
    public async Task RunAsync_PolicyAndModeAfterTrust_ValuesInSpool(string policy, string mode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var dir = new TempDirectory("opcua-secure-mode");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = Load(dir, fixture.Plc.EndpointUrl, $"    security: {{ mode: {mode}, policy: {policy} }}\n");
        var source = new OpcUaSource(options);
        using var tail = new SpoolTail(spool);

        var run = source.RunAsync(spool, cts.Token);
        await TrustWhenRejectedAsync(options, TimeSpan.FromSeconds(30));
        await tail.WaitUntilAsync(t => t.Of("plc-1", "counter").Count >= 3, TimeSpan.FromSeconds(30), $"counter values over {policy} {mode}");

        Assert.Equal($"{policy} {mode}", source.Session!.Endpoint!.SecurityName);
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RunAsync_X509UserCertificateFromPemFiles_ValuesInSpool()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var dir = new TempDirectory("opcua-secure-x509");
        using var user = ApplicationCertificateFactory.Create("urn:test:user:alice", "alice", []);
        await File.WriteAllTextAsync(dir.Combine("alice.pem"), user.ExportCertificatePem(), cts.Token);
        using (var key = System.Security.Cryptography.X509Certificates.RSACertificateExtensions.GetRSAPrivateKey(user)!)
        {
            await File.WriteAllTextAsync(dir.Combine("alice.key"), key.ExportPkcs8PrivateKeyPem(), cts.Token);
        }

        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = Load(dir, fixture.Plc.EndpointUrl, $"""
                security: {"{"} mode: SignAndEncrypt, policy: Aes256_Sha256_RsaPss {"}"}
                user_certificate: {"{"} cert: {dir.Combine("alice.pem")}, key: {dir.Combine("alice.key")} {"}"}

            """);
        var source = new OpcUaSource(options);
        using var tail = new SpoolTail(spool);

        var run = source.RunAsync(spool, cts.Token);
        await TrustWhenRejectedAsync(options, TimeSpan.FromSeconds(30));
        await tail.WaitUntilAsync(t => t.Of("plc-1", "counter").Count >= 3, TimeSpan.FromSeconds(30), "counter values with the X.509 user");

        Assert.Equal(SourceLinkState.Connected, source.GetHealth().State);
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RunAsync_WrongPassword_ReconnectingWithTheLoginRefusal()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var dir = new TempDirectory("opcua-secure-login");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = Load(dir, fixture.Plc.EndpointUrl, """
                security: { mode: Sign, policy: Basic256Sha256 }
                username: operator
                password: { env: WRONG_PASSWORD }
            """);
        var source = new OpcUaSource(options);
        using var tail = new SpoolTail(spool);

        var run = source.RunAsync(spool, cts.Token);
        await TrustWhenRejectedAsync(options, TimeSpan.FromSeconds(30));
        await WaitAsync(() => source.GetHealth().LastError is { } e && !e.Contains("is not trusted", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the login refusal");

        var health = source.GetHealth();
        Assert.Equal(SourceLinkState.Reconnecting, health.State);
        Assert.Contains("BadUserAccessDenied", health.LastError, StringComparison.Ordinal);
        Assert.Empty(tail.Read());
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RunAsync_SecuredSourcePlcUnreachable_OwnCertificateCreatedWithConfiguredApplicationUri()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var dir = new TempDirectory("opcua-secure-own");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = Load(dir, $"opc.tcp://127.0.0.1:{FreePort.Get()}", "    security: { mode: SignAndEncrypt }\n", $"opcua: {{ pki: {dir.Combine("my-pki")}, application_uri: \"urn:acme:plant-a:edge-1\", application_name: Plant A edge }}\n");
        var source = new OpcUaSource(options);

        var run = source.RunAsync(spool, cts.Token);
        await WaitAsync(() => source.GetHealth().LastError is not null, TimeSpan.FromSeconds(15), "the connect failure");

        var own = Assert.Single(new PkiStore(dir.Combine("my-pki")).GetOwn());
        Assert.Equal("urn:acme:plant-a:edge-1", own.ApplicationUri);
        Assert.StartsWith("CN=Plant A edge", own.Subject, StringComparison.Ordinal);
        Assert.Equal(SourceLinkState.Reconnecting, source.GetHealth().State);
        await cts.CancelAsync();
        await run;
    }

    /// <summary>Waits for the source to refuse the PLC's certificate (it is in rejected/), then trusts it.</summary>
    private static async Task TrustWhenRejectedAsync(OpcUaSourceOptions options, TimeSpan timeout)
    {
        var pki = new PkiStore(options.PkiPath!);
        await WaitAsync(() => pki.List(CertificateStoreKind.Rejected).Count > 0, timeout, "the PLC's certificate in rejected/");
        pki.Trust(pki.List(CertificateStoreKind.Rejected)[0].Thumbprint);
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not within {timeout}");
            }

            await Task.Delay(50);
        }
    }

    private static OpcUaSourceOptions Load(TempDirectory dir, string endpoint, string settings, string top = "")
    {
        var yaml = $"""
            edge: {"{"} id: edge-1, site: plant-a, data_dir: {dir.Combine("data")} {"}"}
            {top}sources:
              - name: plc
                type: opcua
                endpoint: {endpoint}
                publishing_interval: 100ms
                sampling_interval: 100ms
                connect_timeout: 5s

            """ + settings.TrimEnd('\n') + "\n    nodes:\n" + CounterNode;
        var options = Assert.IsType<OpcUaSourceConfig>(Assert.Single(EdgeConfigLoader.Parse(yaml, "edge.yaml", name => name == "PLC_PASSWORD" ? "secret" : name == "WRONG_PASSWORD" ? "wrong" : null).Sources)).Options;
        return options with { ReconnectMinDelay = TimeSpan.FromMilliseconds(100), ReconnectMaxDelay = TimeSpan.FromSeconds(1) };
    }
}
