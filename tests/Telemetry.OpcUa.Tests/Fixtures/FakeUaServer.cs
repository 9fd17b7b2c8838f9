using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Telemetry.OpcUa.Tests.Fixtures;

/// <summary>How the fake server misbehaves after HEL.</summary>
public enum FakeServerBehavior
{
    /// <summary>ACK, then an OPN response whose body is garbage.</summary>
    MalformedOpenResponse,

    /// <summary>ACK, then a chunk header announcing 1 GiB.</summary>
    OversizedChunk,

    /// <summary>ACK, then intermediate chunks for the OPN response, forever.</summary>
    NeverEndingMessage,

    /// <summary>ACK, then silence.</summary>
    Silent,

    /// <summary>Random bytes instead of ACK.</summary>
    GarbageInsteadOfAck,
}

/// <summary>A hostile "OPC UA server" on loopback for the client's robustness tests (UA-TCP framing only).</summary>
public sealed class FakeUaServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly FakeServerBehavior _behavior;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeUaServer(FakeServerBehavior behavior)
    {
        _behavior = behavior;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
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
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var token = _stop.Token;
        try
        {
            await ReadMessageAsync(socket, token); // HEL
            if (_behavior == FakeServerBehavior.GarbageInsteadOfAck)
            {
                var junk = new byte[64];
                new Random(5).NextBytes(junk);
                await socket.SendAsync(junk, SocketFlags.None, token);
                await Task.Delay(Timeout.Infinite, token);
            }

            await socket.SendAsync(Ack(), SocketFlags.None, token);
            await ReadMessageAsync(socket, token); // OPN
            switch (_behavior)
            {
                case FakeServerBehavior.MalformedOpenResponse:
                {
                    var chunk = Header("OPNF", 8 + 4 + 40);
                    var body = new byte[44];
                    new Random(7).NextBytes(body);
                    BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), 0x7FFF_FFF0); // policy URI "length"
                    await socket.SendAsync(chunk.Concat(body).ToArray(), SocketFlags.None, token);
                    break;
                }

                case FakeServerBehavior.OversizedChunk:
                    await socket.SendAsync(Header("OPNF", 1 << 30), SocketFlags.None, token);
                    break;
                case FakeServerBehavior.NeverEndingMessage:
                {
                    // | OPNC | size | channelId | policy "None" | cert -1 | thumb -1 | seq | requestId 1 | body… |
                    var policy = "http://opcfoundation.org/UA/SecurityPolicy#None"u8.ToArray();
                    var sequence = 1u;
                    while (!token.IsCancellationRequested)
                    {
                        var chunk = new byte[8192];
                        "OPNC"u8.CopyTo(chunk);
                        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)chunk.Length);
                        var p = 12;
                        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(p), policy.Length);
                        policy.CopyTo(chunk, p + 4);
                        p += 4 + policy.Length;
                        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(p), -1);
                        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(p + 4), -1);
                        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(p + 8), sequence++);
                        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(p + 12), 1);
                        await socket.SendAsync(chunk, SocketFlags.None, token);
                    }

                    break;
                }
            }

            await Task.Delay(Timeout.Infinite, token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task ReadMessageAsync(Socket socket, CancellationToken token)
    {
        var header = new byte[8];
        await ReceiveExactlyAsync(socket, header, token);
        var size = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        await ReceiveExactlyAsync(socket, new byte[size - 8], token);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer, CancellationToken token)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, token);
            if (n == 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            read += n;
        }
    }

    private static byte[] Header(string type, int size)
    {
        var header = new byte[8];
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), size);
        return header;
    }

    private static byte[] Ack()
    {
        var ack = Header("ACKF", 28);
        var body = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), 65536);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), 65536);
        return [.. ack, .. body];
    }
}
