using System.Diagnostics;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Protocol;
using Telemetry.Edge.Mqtt.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.Edge.Mqtt.Tests.Integration;

/// <summary>The edge's own broker (MQTTnet.Server) with real clients: mosquitto_pub/sub, MQTTnet, raw sockets.</summary>
public sealed class EmbeddedBrokerTests
{
    private static readonly string Hash = MqttPasswordHash.Create("s3cret", 1000);

    private static EmbeddedBrokerOptions Options(int port, int maxPacketBytes = 4096) => new()
    {
        Name = "site-broker",
        ListenAddress = "127.0.0.1",
        Port = port,
        Users = [new EmbeddedBrokerUser("device", Hash)],
        MaxPacketBytes = maxPacketBytes,
        Rules = [TestOptions.PlainRule],
    };

    [Fact]
    public async Task RunAsync_MosquittoPubQos1_ReachesSpoolAndMosquittoSubSeesIt()
    {
        var port = FreePort.Get();
        await using var spool = await SpoolHarness.OpenAsync();
        var broker = new EmbeddedMqttBroker(Options(port));
        await using var runner = new SourceRunner(broker, spool.Spool);
        await broker.Started.WaitAsync(TimeSpan.FromSeconds(20));

        using var sub = StartTool("mosquitto_sub", "-i", "sub1", "-h", "127.0.0.1", "-p", $"{port}", "-u", "device", "-P", "s3cret", "-t", "plant/#", "-C", "3", "-v", "-W", "30");
        await Task.Delay(500);
        for (var i = 1; i <= 3; i++)
        {
            await MosquittoSourceTests.RunToolAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", $"{port}", "-u", "device", "-P", "s3cret", "-q", "1", "-t", "plant/l1/m1/temp", "-m", $"{i}.5");
        }

        // mosquitto_pub sends an empty client id (MQTT 3.1.1, clean session): the broker assigned one.
        // mosquitto_pub returned after its PUBACK, which the broker sends only once the sample is durable.
        var all = spool.ReadAll();
        Assert.Equal([1.5, 2.5, 3.5], all.Select(s => s.Value.AsDouble()));
        Assert.All(all, s => Assert.Equal("s1//l1/m1/temp", s.Path.ToString()));
        var received = await sub.StandardOutput.ReadToEndAsync();
        await sub.WaitForExitAsync();
        Assert.Equal("plant/l1/m1/temp 1.5\nplant/l1/m1/temp 2.5\nplant/l1/m1/temp 3.5\n", received);
    }

    [Fact]
    public async Task RunAsync_TlsListener_MosquittoPubWithCaReachesSpool()
    {
        using var pki = await TlsMaterial.CreateAsync();
        var port = FreePort.Get();
        await using var spool = await SpoolHarness.OpenAsync();
        var broker = new EmbeddedMqttBroker(Options(port) with { TlsCertificateFile = pki.ServerCert, TlsKeyFile = pki.ServerKey });
        await using var runner = new SourceRunner(broker, spool.Spool);
        await broker.Started.WaitAsync(TimeSpan.FromSeconds(20));
        await MosquittoSourceTests.RunToolAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", $"{port}", "--cafile", pki.CaCert, "-u", "device", "-P", "s3cret", "-q", "1", "-t", "plant/l1/m1/t", "-m", "5");
        Assert.Equal(5, Assert.Single(spool.ReadAll()).Value.AsInt64());

        // A plain-TCP client cannot talk to the TLS listener; the broker goes on.
        Assert.True(await IsDroppedAsync(port, ConnectPacket("plain", "device", "s3cret")));
        await MosquittoSourceTests.RunToolAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", $"{port}", "--cafile", pki.CaCert, "-u", "device", "-P", "s3cret", "-q", "1", "-t", "plant/l1/m1/t", "-m", "6");
        Assert.Equal([5L, 6L], spool.ReadAll().Select(s => s.Value.AsInt64()));
    }

    [Fact]
    public async Task RunAsync_WrongPasswordOrAnonymous_Refused()
    {
        var port = FreePort.Get();
        await using var spool = await SpoolHarness.OpenAsync();
        var broker = new EmbeddedMqttBroker(Options(port));
        await using var runner = new SourceRunner(broker, spool.Spool);
        await broker.Started.WaitAsync(TimeSpan.FromSeconds(20));

        using var wrong = StartTool("mosquitto_pub", "-i", "wrong", "-h", "127.0.0.1", "-p", $"{port}", "-u", "device", "-P", "guess", "-q", "1", "-t", "plant/l1/m1/t", "-m", "1");
        var error = await wrong.StandardError.ReadToEndAsync();
        await wrong.WaitForExitAsync();
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("bad user name or password", error, StringComparison.OrdinalIgnoreCase);

        using var client = new MqttClientFactory().CreateMqttClient();
        var anonymous = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("anon").Build();
        var result = await client.ConnectAsync(anonymous);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
        Assert.Equal(2, broker.RefusedLogins);
        Assert.Empty(spool.ReadAll());
    }

    [Fact]
    public async Task RunAsync_GarbageAndOversizedPackets_ThoseClientsDroppedOthersContinue()
    {
        var port = FreePort.Get();
        await using var spool = await SpoolHarness.OpenAsync();
        var broker = new EmbeddedMqttBroker(Options(port, maxPacketBytes: 1024));
        await using var runner = new SourceRunner(broker, spool.Spool);
        await broker.Started.WaitAsync(TimeSpan.FromSeconds(20));
        await using var good = await TestPublisher.ConnectAsync("127.0.0.1", port, "good", "device", "s3cret");
        await good.PublishRangeAsync(_ => "plant/l1/m1/n", 0, 100, MqttQualityOfServiceLevel.AtLeastOnce);

        // Garbage instead of CONNECT.
        Assert.True(await IsDroppedAsync(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray()));

        // A valid CONNECT, then a PUBLISH announcing 1 MiB (over the 1 KiB limit).
        var connect = ConnectPacket("big", "device", "s3cret");
        byte[] hugePublish = [0x30, 0x80, 0x80, 0x40, 0x00, 0x01, (byte)'t'];
        Assert.True(await IsDroppedAsync(port, [.. connect, .. hugePublish]));

        // Malformed remaining length (five continuation bytes).
        Assert.True(await IsDroppedAsync(port, [0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]));

        // The good client never noticed.
        await good.PublishRangeAsync(_ => "plant/l1/m1/n", 100, 100, MqttQualityOfServiceLevel.AtLeastOnce);
        var all = await spool.WaitForAsync(s => s.Count >= 200, TimeSpan.FromSeconds(30), "200 samples from the good client");
        MosquittoSourceTests.AssertExactlyOnce(all, 0, 200);
    }

    [Fact]
    public async Task RunAsync_Qos1WhileSinkNotDurable_PubAckHeldUntilWritten()
    {
        var port = FreePort.Get();
        await using var spool = await SpoolHarness.OpenAsync();
        var sink = new GatedSink(spool.Spool);
        var broker = new EmbeddedMqttBroker(Options(port));
        await using var runner = new SourceRunner(broker, sink);
        await broker.Started.WaitAsync(TimeSpan.FromSeconds(20));
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("gated").WithCredentials("device", "s3cret").Build());
        var publishes = Enumerable.Range(0, 10).Select(i => client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic("plant/l1/m1/n").WithPayload($"{i}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).ToList();
        await Task.Delay(1000);
        Assert.All(publishes, p => Assert.False(p.IsCompleted, "a PUBACK arrived before the samples were durable"));
        sink.Open();
        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(20));
        MosquittoSourceTests.AssertExactlyOnce(spool.ReadAll(), 0, 10);
    }

    [Fact]
    public async Task RunAsync_MaxInFlightPerClient_FurtherMessagesWaitForDurability()
    {
        var port = FreePort.Get();
        await using var spool = await SpoolHarness.OpenAsync();
        var sink = new GatedSink(spool.Spool);
        var broker = new EmbeddedMqttBroker(Options(port) with { MaxInFlightPerClient = 5 });
        await using var runner = new SourceRunner(broker, sink);
        await broker.Started.WaitAsync(TimeSpan.FromSeconds(20));
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("window").WithCredentials("device", "s3cret").Build());
        var publishes = Enumerable.Range(0, 12).Select(i => client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic("plant/l1/m1/n").WithPayload($"{i}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).ToList();
        await Task.Delay(1000);
        Assert.Equal(5, broker.GetStatistics().MessagesReceived);
        sink.Open();
        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(20));
        MosquittoSourceTests.AssertExactlyOnce(spool.ReadAll(), 0, 12);
    }

    private sealed class GatedSink(Telemetry.Core.ISampleSink inner) : Telemetry.Core.ISampleSink
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _gate.TrySetResult();

        public async ValueTask WriteAsync(Telemetry.Core.SampleBatch batch, CancellationToken cancellationToken = default)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            await inner.WriteAsync(batch, cancellationToken);
        }
    }

    private static async Task<bool> IsDroppedAsync(int port, byte[] bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(bytes);
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true; // reset by the broker
        }
    }

    /// <summary>An MQTT 3.1.1 CONNECT (§3.1) with user name and password, clean session, keep-alive 60 s.</summary>
    private static byte[] ConnectPacket(string clientId, string user, string password)
    {
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xc2, 0x00, 0x3c };
        foreach (var s in new[] { clientId, user, password })
        {
            var b = System.Text.Encoding.UTF8.GetBytes(s);
            body.Add((byte)(b.Length >> 8));
            body.Add((byte)b.Length);
            body.AddRange(b);
        }

        return [0x10, (byte)body.Count, .. body];
    }

    private static Process StartTool(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info)!;
    }
}
