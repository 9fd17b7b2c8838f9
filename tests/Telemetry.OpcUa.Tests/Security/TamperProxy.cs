using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Telemetry.OpcUa.Tests.Security;

/// <summary>
/// A loopback proxy that frames the server's UA-TCP chunks and, when armed, flips one bit in the last byte (the
/// signature) of the next MSG chunk it forwards to the client — a message altered on the wire.
/// </summary>
internal sealed class TamperProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private int _armed;

    public TamperProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Tampered { get; private set; }

    public void ArmFlip() => Volatile.Write(ref _armed, 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            _ = Task.Run(() => PumpRawAsync(client, server));
            _ = Task.Run(() => PumpChunksAsync(server, client));
        }
    }

    private static async Task PumpRawAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            to.Dispose();
        }
    }

    private async Task PumpChunksAsync(Socket from, Socket to)
    {
        var header = new byte[8];
        try
        {
            while (await ReadExactlyAsync(from, header))
            {
                var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
                var chunk = new byte[size];
                header.CopyTo(chunk, 0);
                if (!await ReadExactlyAsync(from, chunk.AsMemory(8)))
                {
                    break;
                }

                if (chunk[0] == (byte)'M' && chunk[1] == (byte)'S' && Interlocked.Exchange(ref _armed, 0) == 1)
                {
                    chunk[^1] ^= 0x04;
                    Tampered++;
                }

                await to.SendAsync(chunk, SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            to.Dispose();
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
