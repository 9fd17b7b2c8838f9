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
