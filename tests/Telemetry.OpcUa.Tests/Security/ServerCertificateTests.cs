using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.OpcUa.Tests.Security;

/// <summary>node-opcua serving a certificate the test made: expired, for another ApplicationUri, or good but unknown.</summary>
public sealed class ServerCertificateTests
{
    private const string PlcUri = "urn:telemetry:opcua-plc";

    [Fact]
    public async Task ConnectAsync_ExpiredServerCertificate_RefusedWithBadCertificateTimeInvalid()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var certificate = ApplicationCertificateFactory.Create(PlcUri, "Expired PLC", ["127.0.0.1"], notBefore: DateTimeOffset.UtcNow.AddYears(-3), lifetime: TimeSpan.FromDays(365));

        var ex = await ConnectWithServerCertificateAsync(certificate, cts.Token);

        Assert.Equal(StatusCodes.BadCertificateTimeInvalid, ex.StatusCode.Code);
        Assert.Contains("expired", ex.Message, StringComparison.Ordinal);
        Assert.Contains(PlcUri, ex.Message, StringComparison.Ordinal);
        Assert.Contains(CertificateThumbprint.ToHex(certificate.RawData), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_ServerCertificateForAnotherUri_RefusedWithBadCertificateUriInvalid()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var certificate = ApplicationCertificateFactory.Create("urn:some:other:server", "Wrong PLC", ["127.0.0.1"]);

        var ex = await ConnectWithServerCertificateAsync(certificate, cts.Token);

        Assert.Equal(StatusCodes.BadCertificateUriInvalid, ex.StatusCode.Code);
        Assert.Contains("urn:some:other:server", ex.Message, StringComparison.Ordinal);
        Assert.Contains(PlcUri, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_UnknownCertificateTrustedByFile_ConnectsWithoutServerRestart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var files = new TempDirectory("uasec-server-cert");
        using var pki = new TempDirectory("uasec-pki");
        using var certificate = ApplicationCertificateFactory.Create(PlcUri, "Good PLC", ["127.0.0.1"]);
        var (certificateFile, keyFile) = CertificateTestFactory.WritePem(certificate, files.Path);
        await using var plc = await SecurePlc.StartAsync(cts.Token, "--certificate", certificateFile, "--private-key", keyFile);
        var options = SecurePlc.Options(plc, pki, MessageSecurityMode.SignAndEncrypt);
        var refused = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(options, cts.Token));
        Assert.Equal(StatusCodes.BadCertificateUntrusted, refused.StatusCode.Code);

        new PkiStore(pki.Path).Trust(certificateFile); // the administrator got the PLC's certificate file

        await using var session = await UaSession.ConnectAsync(options, cts.Token);
        Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);
    }

    [Fact]
    public async Task Reconnect_ServerComesBackWithAnUnknownCertificate_RefusedUntilTrustedThenResumesWithoutRestart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var filesA = new TempDirectory("uasec-server-cert");
        using var filesB = new TempDirectory("uasec-server-cert");
        using var pki = new TempDirectory("uasec-pki");
        using var first = ApplicationCertificateFactory.Create(PlcUri, "PLC", ["127.0.0.1"]);
        using var replaced = ApplicationCertificateFactory.Create(PlcUri, "PLC", ["127.0.0.1"]);
        var (certificateA, keyA) = CertificateTestFactory.WritePem(first, filesA.Path);
        var (certificateB, keyB) = CertificateTestFactory.WritePem(replaced, filesB.Path);
        var arguments = new List<string> { "--security-policies", SecurePlc.AllPolicies, "--security-modes", "None,Sign,SignAndEncrypt" };
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { ExtraArguments = [.. arguments, "--certificate", certificateA, "--private-key", keyA] }, cts.Token);
        var store = new PkiStore(pki.Path);
        store.Trust(certificateA);
        var options = SecurePlc.Options(plc, pki, MessageSecurityMode.SignAndEncrypt) with { ReconnectMaxDelay = TimeSpan.FromSeconds(1) };
        await using var session = await UaSession.ConnectAsync(options, cts.Token);

        // The PLC is re-commissioned with a new certificate: the session's reconnects are refused, never downgraded.
        await plc.RestartAsync(plc.Options with { ExtraArguments = [.. arguments, "--certificate", certificateB, "--private-key", keyB] }, cts.Token);
        var thumbprint = CertificateThumbprint.ToHex(replaced.RawData);
        while (session.LastConnectionError is not OpcUaException { StatusCode.Code: StatusCodes.BadCertificateUntrusted } || store.List(CertificateStoreKind.Rejected).Count == 0)
        {
            await Task.Delay(100, cts.Token);
        }

        Assert.Contains(thumbprint, session.LastConnectionError.Message, StringComparison.Ordinal);
        Assert.False(session.IsConnected);

        store.Trust(thumbprint); // `telemetry-edge certs trust <thumbprint>` while the agent keeps running
        while (!session.IsConnected)
        {
            await Task.Delay(100, cts.Token);
        }

        Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);
    }

    [Fact]
    public async Task ConnectAsync_DeprecatedBasic256_RefusedByDefaultAndUsedWhenEnabled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var pki = new TempDirectory("uasec-pki");
        await using var plc = await OpcUaPlcPeer.StartAsync(
            new OpcUaPlcOptions { ExtraArguments = ["--security-policies", "None,Basic256", "--security-modes", "None,Sign"] }, cts.Token);
        var options = SecurePlc.Options(plc, pki, MessageSecurityMode.Sign);

        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(options, cts.Token));
        Assert.Equal(StatusCodes.BadSecurityModeRejected, ex.StatusCode.Code);
        Assert.Contains("AllowDeprecatedPolicies", ex.Message, StringComparison.Ordinal);

        var allowed = options with { AllowDeprecatedPolicies = true };
        await SecurePlc.TrustServerAsync(allowed, cts.Token);
        await using var session = await UaSession.ConnectAsync(allowed, cts.Token);
        Assert.Equal(SecurityPolicies.Basic256, session.Endpoint!.SecurityPolicyUri);
        Assert.True((await session.ReadValueAsync(SecurePlc.Counter, cts.Token)).StatusCode.IsGood);
    }

    private static async Task<OpcUaException> ConnectWithServerCertificateAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        using var files = new TempDirectory("uasec-server-cert");
        using var pki = new TempDirectory("uasec-pki");
        var (certificateFile, keyFile) = CertificateTestFactory.WritePem(certificate, files.Path);
        await using var plc = await SecurePlc.StartAsync(cancellationToken, "--certificate", certificateFile, "--private-key", keyFile);
        var store = new PkiStore(pki.Path);
        store.Trust(certificateFile); // trusted: what fails is the certificate itself, and trusting it does not help
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(SecurePlc.Options(plc, pki, MessageSecurityMode.SignAndEncrypt), cancellationToken));
        Assert.Contains("trusting it does not help", ex.Message, StringComparison.Ordinal);
        return ex;
    }
}
