using MQTTnet.Protocol;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Tests.Fixtures;
using Telemetry.Testing.Peers;

namespace Telemetry.Edge.Mqtt.Tests.Integration;

/// <summary>TLS with test-made certificates (Mosquitto `require_certificate true`) and user/password refusals.</summary>
public sealed class TlsAndAuthTests
{
    private static string TlsConfig(TlsMaterial pki) =>
        $"cafile {pki.CaCert}\ncertfile {pki.ServerCert}\nkeyfile {pki.ServerKey}\nrequire_certificate true\n";

    private static MqttSourceOptions TlsOptions(MosquittoPeer broker, MqttTlsOptions tls) =>
        TestOptions.Source(broker, "edge-tls", persistent: false) with { Tls = tls };

    [Fact]
    public async Task RunAsync_TlsWithCaAndClientCertificate_ReceivesMessages()
    {
        using var pki = await TlsMaterial.CreateAsync();
        await using var broker = await MosquittoPeer.StartAsync(TlsConfig(pki));
        await using var spool = await SpoolHarness.OpenAsync();
        var tls = new MqttTlsOptions { CaFile = pki.CaCert, ClientCertificateFile = pki.ClientCert, ClientKeyFile = pki.ClientKey };
        var source = new MqttSource(TlsOptions(broker, tls));
        await using var runner = new SourceRunner(source, spool.Spool);
        await runner.WaitConnectedAsync();
        await MosquittoSourceTests.RunToolAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", $"{broker.Port}", "--cafile", pki.CaCert, "--cert", pki.ClientCert, "--key", pki.ClientKey, "-q", "1", "-t", "plant/l1/m1/t", "-m", "42");
        var all = await spool.WaitForAsync(s => s.Count >= 1, TimeSpan.FromSeconds(20), "the TLS message");
        Assert.Equal(42, all[0].Value.AsInt64());
    }

    [Fact]
    public async Task RunAsync_UntrustedBrokerCertificate_ClearErrorAndBackoffNotSpinning()
    {
        using var pki = await TlsMaterial.CreateAsync();
        await using var broker = await MosquittoPeer.StartAsync(TlsConfig(pki));
        await using var spool = await SpoolHarness.OpenAsync();
        var tls = new MqttTlsOptions { CaFile = pki.OtherCaCert, ClientCertificateFile = pki.ClientCert, ClientKeyFile = pki.ClientKey };
        var source = new MqttSource(TlsOptions(broker, tls));
        await using var runner = new SourceRunner(source, spool.Spool);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var health = source.GetHealth();
        Assert.Equal(SourceLinkState.Reconnecting, health.State);
        Assert.Contains($"mqtts://127.0.0.1:{broker.Port}", health.LastError, StringComparison.Ordinal);
        Assert.Contains("does not chain to the CA", health.LastError, StringComparison.Ordinal);
        // 100 ms doubling to a 1 s cap, with jitter: a handful of attempts in 3 s, not thousands.
        Assert.InRange(source.GetStatistics().Reconnects, 1, 20);
    }

    [Fact]
    public async Task RunAsync_NoClientCertificateWhereRequired_ClearTlsError()
    {
        using var pki = await TlsMaterial.CreateAsync();
        await using var broker = await MosquittoPeer.StartAsync(TlsConfig(pki));
        await using var spool = await SpoolHarness.OpenAsync();
        var source = new MqttSource(TlsOptions(broker, new MqttTlsOptions { CaFile = pki.CaCert }));
        await using var runner = new SourceRunner(source, spool.Spool);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var health = source.GetHealth();
        Assert.Equal(SourceLinkState.Reconnecting, health.State);
        Assert.Contains($"mqtts://127.0.0.1:{broker.Port}", health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WrongPassword_ClearErrorNamingBrokerAndBackoff()
    {
        using var dir = new Telemetry.Testing.TempDirectory("mqtt-auth");
        var passwords = dir.Combine("passwords");
        await MosquittoSourceTests.RunToolAsync("mosquitto_passwd", "-b", "-c", passwords, "edge", "right");
        await using var broker = await MosquittoPeer.StartAsync($"allow_anonymous false\npassword_file {passwords}\n");
        await using var spool = await SpoolHarness.OpenAsync();
        var options = TestOptions.Source(broker, "edge-auth", persistent: false) with { UserName = "edge", Password = "wrong" };
        var source = new MqttSource(options);
        await using (var runner = new SourceRunner(source, spool.Spool))
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var health = source.GetHealth();
            Assert.Equal(SourceLinkState.Reconnecting, health.State);
            Assert.Contains($"mqtt://127.0.0.1:{broker.Port}", health.LastError, StringComparison.Ordinal);
            Assert.Contains("not authorized", health.LastError, StringComparison.OrdinalIgnoreCase);
            Assert.InRange(source.GetStatistics().Reconnects, 1, 20);
        }

        var good = new MqttSource(options with { Password = "right" });
        await using var goodRunner = new SourceRunner(good, spool.Spool);
        await goodRunner.WaitConnectedAsync();
        await using var publisher = await TestPublisher.ConnectAsync(broker.Host, broker.Port, "pub", "edge", "right");
        await publisher.PublishOneAsync("plant/l1/m1/t", "7", MqttQualityOfServiceLevel.AtLeastOnce);
        await spool.WaitForAsync(s => s.Count == 1, TimeSpan.FromSeconds(20), "one message with the right password");
    }
}
