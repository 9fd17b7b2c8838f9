using System.Net;
using System.Net.Sockets;

namespace Telemetry.OpcUa.Tests.Fixtures;

/// <summary>
/// A loopback TCP proxy the test controls: forwards client ↔ server, and can cut every connection, swallow the
/// server's bytes for a while before a cut (so a Publish response is lost on the way), refuse new connections,
/// or inject bytes into the client-bound stream (malformed or oversized messages).
/// </summary>
public sealed class TcpCutProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Pair> _pairs = [];
    private readonly Task _acceptLoop;
    private volatile bool _refuse;
    private volatile bool _blackhole;

    public TcpCutProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{Port}";

    public int ConnectionCount { get; private set; }

    /// <summary>Server → client bytes are dropped (the client sees silence) until the next cut.</summary>
    public void Blackhole() => _blackhole = true;

    /// <summary>Closes every forwarded connection now; with <paramref name="refuseFor"/>, new ones are refused that long.</summary>
    public void Cut(TimeSpan refuseFor = default)
    {
        if (refuseFor > TimeSpan.Zero)
        {
            _refuse = true;
            _ = Task.Delay(refuseFor).ContinueWith(_ => _refuse = false, TaskScheduler.Default);
        }

        lock (_pairs)
        {
            foreach (var pair in _pairs)
            {
                pair.Close();
            }

            _pairs.Clear();
        }

        _blackhole = false;
    }

    /// <summary>Writes raw bytes to every client (as if the server had sent them).</summary>
    public async Task InjectToClientsAsync(byte[] bytes)
    {
        Pair[] pairs;
        lock (_pairs)
        {
            pairs = [.. _pairs];
        }

        foreach (var pair in pairs)
        {
            await pair.WriteToClientAsync(bytes);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
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
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_refuse)
            {
                client.Close(0);
                continue;
            }

            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                client.Close(0);
                server.Dispose();
                continue;
            }

            var pair = new Pair(client, server);
            lock (_pairs)
            {
                _pairs.Add(pair);
                ConnectionCount++;
            }

            _ = pair.RunAsync(() => _blackhole);
        }
    }

    private sealed class Pair(Socket client, Socket server)
    {
        private readonly SemaphoreSlim _clientWrite = new(1, 1);

        public async Task RunAsync(Func<bool> blackhole)
        {
            var up = PumpAsync(client, server, () => false, null);
            var down = PumpAsync(server, client, blackhole, _clientWrite);
            await Task.WhenAny(up, down);
            Close();
        }

        public async Task WriteToClientAsync(byte[] bytes)
        {
            await _clientWrite.WaitAsync();
            try
            {
                await client.SendAsync(bytes, SocketFlags.None);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                _clientWrite.Release();
            }
        }

        public void Close()
        {
            try
            {
                client.Close(0);
            }
            catch (ObjectDisposedException)
            {
            }

            try
            {
                server.Close(0);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        private static async Task PumpAsync(Socket from, Socket to, Func<bool> drop, SemaphoreSlim? writeLock)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var n = await from.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0)
                    {
                        return;
                    }

                    if (drop())
                    {
                        continue;
                    }

                    if (writeLock is not null)
                    {
                        await writeLock.WaitAsync();
                    }

                    try
                    {
                        await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
                    }
                    finally
                    {
                        writeLock?.Release();
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
