using MQTTnet;

namespace Telemetry.Edge.Mqtt.Tests.Unit;

public sealed class ClientOptionsTests
{
    /// <summary>
    /// MQTTnet sets the socket's buffers to its BufferSize (8 KiB unless told), which fixes the kernel's receive window
    /// at a few KiB: in the harness a broker backlog for the edge then drained at ~60-85 PUBLISH/s (the broker's send
    /// queue 3.7 MB, `ss`: rwnd-limited 99 %, rb16384) and under a steady 500 messages/s never caught up.
    /// </summary>
    [Fact]
    public void BuildClientOptions_Tcp_SocketBuffersOfMegabytesNotMqttnetsDefault()
    {
        var source = new MqttSource(new MqttSourceOptions
        {
            Name = "mqtt-test",
            Host = "127.0.0.1",
            Port = 1883,
            ClientId = "edge-options",
            Subscriptions = [new MqttSubscription("plant/#", MqttQos.AtLeastOnce)],
            Rules = [Fixtures.TestOptions.PlainRule],
        });

        var tcp = Assert.IsType<MqttClientTcpOptions>(source.BuildClientOptions().ChannelOptions);

        Assert.Equal(MqttSource.SocketBufferBytes, tcp.BufferSize);
        Assert.True(tcp.BufferSize >= 1024 * 1024);
    }
}
