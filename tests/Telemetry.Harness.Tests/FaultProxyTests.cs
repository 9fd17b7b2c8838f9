using System.Net;
using System.Net.Sockets;
using Telemetry.Harness.Network;

namespace Telemetry.Harness.Tests;

/// <summary>The fault proxy against a loopback echo server.</summary>
public sealed class FaultProxyTests
{
    [Fact]
    public async Task Blackhole_BytesHeldUntilPass_ThenDelivered()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var proxy = new FaultProxy(echo.Port, "test");
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        var stream = client.GetStream();
        await RoundTripAsync(stream, "a");

        proxy.Blackhole();
        await stream.WriteAsync("b"u8.ToArray());
        var buffer = new byte[1];
        var read = stream.ReadAsync(buffer).AsTask();
        var first = await Task.WhenAny(read, Task.Delay(500));
        Assert.NotSame(read, first);

        proxy.Pass();
        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal((byte)'b', buffer[0]);
    }

    [Fact]
    public async Task Refuse_OpenConnection_IsReset()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var proxy = new FaultProxy(echo.Port, "test");
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        var stream = client.GetStream();
        await RoundTripAsync(stream, "a");

        proxy.Refuse();

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await RoundTripAsync(stream, "x");
                await Task.Delay(50);
            }
        });
    }

    [Fact]
    public async Task Slow_Latency_DelaysEachDirection()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var proxy = new FaultProxy(echo.Port, "test");
        proxy.Slow(TimeSpan.FromMilliseconds(200), 1_000_000);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await RoundTripAsync(client.GetStream(), "a");

        Assert.True(watch.ElapsedMilliseconds >= 390, $"round trip took {watch.ElapsedMilliseconds} ms through 2 x 200 ms");
    }

    private static async Task RoundTripAsync(NetworkStream stream, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await stream.WriteAsync(bytes);
        var buffer = new byte[bytes.Length];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(bytes, buffer);
    }

    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<EchoServer> StartAsync()
        {
            var server = new EchoServer();
            server._listener.Start();
            server._loop = server.AcceptAsync();
            return Task.FromResult(server);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception)
            {
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        try
                        {
                            await socket.GetStream().CopyToAsync(socket.GetStream(), _stop.Token);
                        }
                        catch (Exception)
                        {
                        }
                    }
                });
            }
        }
    }
}
