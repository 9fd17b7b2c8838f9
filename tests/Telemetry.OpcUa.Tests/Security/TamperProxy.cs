using System.Buffers.Binary;
using System.Net.Sockets;
using Telemetry.Testing;

namespace Telemetry.OpcUa.Tests.Security;

/// <summary>
/// A loopback proxy that frames the server's UA-TCP chunks and, when armed, flips one bit in the last byte (the
/// signature) of the next MSG chunk it forwards to the client — a message altered on the wire.
/// </summary>
internal sealed class TamperProxy : IAsyncDisposable
{
    private readonly LoopbackProxy _proxy;
    private int _armed;
    private int _tampered;

    public TamperProxy(int targetPort) => _proxy = new LoopbackProxy(targetPort, serverToClient: PumpChunksAsync);

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{_proxy.Port}";

    public int Tampered => Volatile.Read(ref _tampered);

    public void ArmFlip() => Volatile.Write(ref _armed, 1);

    public ValueTask DisposeAsync() => _proxy.DisposeAsync();

    /// <summary>Forwards chunk by chunk: the 8-byte header (type, chunk type, UInt32 size) tells where each ends.</summary>
    private async Task PumpChunksAsync(Socket from, Socket to)
    {
        var header = new byte[8];
        while (await ReadExactlyAsync(from, header))
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            var chunk = new byte[size];
            header.CopyTo(chunk, 0);
            if (!await ReadExactlyAsync(from, chunk.AsMemory(8)))
            {
                return;
            }

            if (chunk[0] == (byte)'M' && chunk[1] == (byte)'S' && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                chunk[^1] ^= 0x04;
                Interlocked.Increment(ref _tampered);
            }

            await to.SendAsync(chunk, SocketFlags.None);
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
