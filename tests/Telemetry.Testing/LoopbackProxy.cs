using System.Net;
using System.Net.Sockets;

namespace Telemetry.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 that the test controls: forwards every connection to a target port, and can
/// <see cref="Cut"/> the link (existing connections severed with a reset, new ones reset at once) to simulate a network
/// or datacenter outage, <see cref="Sever"/> the connections but keep accepting, <see cref="Blackhole"/> the server's
/// bytes (so a response is lost on the way), or inject bytes into the client-bound stream (malformed or oversized
/// messages). A protocol-aware test may replace how the server's bytes reach the client (the <c>serverToClient</c> hook,
/// e.g. one that alters a message on the wire); Blackhole and InjectToClientsAsync then do not apply.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<Socket, Socket, Task>? _serverToClient;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Connection> _connections = [];
    private readonly Task _acceptLoop;
    private Timer? _restore;
    private volatile bool _down;
    private volatile bool _blackhole;
    private int _connectionCount;

    /// <param name="targetPort">Where connections are forwarded, on 127.0.0.1.</param>
    /// <param name="serverToClient">
    /// Replaces the server-to-client pump: reads from the first socket (the server's), writes to the second (the
    /// client's) until either closes; both are closed when it returns.
    /// </param>
    public LoopbackProxy(int targetPort, Func<Socket, Socket, Task>? serverToClient = null)
    {
        TargetPort = targetPort;
        _serverToClient = serverToClient;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public int TargetPort { get; set; }

    public bool IsDown => _down;

    /// <summary>Connections forwarded so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Cuts the link: severs every connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _down = true;
        Sever();
    }

    /// <summary><see cref="Cut"/>, then <see cref="Restore"/> after <paramref name="duration"/>.</summary>
    public void CutFor(TimeSpan duration)
    {
        Cut();
        lock (_lock)
        {
            _restore?.Dispose();
            _restore = new Timer(static state => ((LoopbackProxy)state!).Restore(), this, duration, Timeout.InfiniteTimeSpan);
        }
    }

    public void Restore() => _down = false;

    /// <summary>Severs every connection now (a reset, like a dead link or a killed server) and ends a black hole; new connections are still forwarded.</summary>
    public void Sever()
    {
        lock (_lock)
        {
            foreach (var connection in _connections)
            {
                connection.Close();
            }

            _connections.Clear();
        }

        _blackhole = false;
    }

    /// <summary>Server → client bytes are dropped (the client sees silence) until the next cut or sever.</summary>
    public void Blackhole() => _blackhole = true;

    /// <summary>Writes raw bytes to every client (as if the server had sent them).</summary>
    public async Task InjectToClientsAsync(byte[] bytes, CancellationToken cancellationToken = default)
    {
        Connection[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            await connection.WriteToClientAsync(bytes, cancellationToken);
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

        lock (_lock)
        {
            _restore?.Dispose();
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

            if (_down)
            {
                client.Close(0);
                continue;
            }

            client.NoDelay = true;
            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, TargetPort, _stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                client.Close(0);
                server.Dispose();
                continue;
            }

            var connection = new Connection(client, server);
            lock (_lock)
            {
                _connections.Add(connection);
                _connectionCount++;
            }

            _ = RunAsync(connection);
        }
    }

    /// <summary>Pumps both ways until either side closes (never throws: a cut or a closed peer ends it).</summary>
    private async Task RunAsync(Connection connection)
    {
        var up = connection.PumpAsync(toClient: false, () => false);
        var down = _serverToClient is null
            ? connection.PumpAsync(toClient: true, () => _blackhole)
            : PumpWithHookAsync(connection);
        await Task.WhenAny(up, down);
        connection.Close();
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    private async Task PumpWithHookAsync(Connection connection)
    {
        try
        {
            await _serverToClient!(connection.Server, connection.Client);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private sealed class Connection(Socket client, Socket server)
    {
        private readonly SemaphoreSlim _clientWrite = new(1, 1);

        public Socket Client => client;

        public Socket Server => server;

        public async Task PumpAsync(bool toClient, Func<bool> drop)
        {
            var (from, to) = toClient ? (server, client) : (client, server);
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

                    if (!toClient)
                    {
                        await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
                        continue;
                    }

                    await _clientWrite.WaitAsync();
                    try
                    {
                        await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
                    }
                    finally
                    {
                        _clientWrite.Release();
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        public async Task WriteToClientAsync(byte[] bytes, CancellationToken cancellationToken)
        {
            await _clientWrite.WaitAsync(cancellationToken);
            try
            {
                await client.SendAsync(bytes, SocketFlags.None, cancellationToken);
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
    }
}
