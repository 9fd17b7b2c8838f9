using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Telemetry.Harness.Network;

/// <summary>What the link between two processes does right now.</summary>
public enum LinkMode
{
    /// <summary>Bytes pass at loopback speed.</summary>
    Pass,

    /// <summary>Down and noticed: connections reset, new ones refused (a stopped server, a firewall that rejects).</summary>
    Refuse,

    /// <summary>Down and silent: connections are accepted and held, no byte passes either way (a routing black hole).</summary>
    Blackhole,

    /// <summary>Every chunk delayed by <see cref="FaultProxy.Latency"/>, each direction capped at <see cref="FaultProxy.BytesPerSecond"/>.</summary>
    Slow,
}

/// <summary>
/// A fault-injecting TCP proxy on 127.0.0.1 in front of one target port: pass, refuse, black-hole or slow (latency and
/// a bandwidth cap shared by all connections of a direction, like one WAN link). Counts bytes each way.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int ChunkBytes = 16 * 1024;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private readonly Bandwidth _upstream = new();
    private readonly Bandwidth _downstream = new();
    private volatile LinkMode _mode;
    private TaskCompletionSource _modeChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytesUp;
    private long _bytesDown;

    public FaultProxy(int targetPort, string name)
    {
        TargetPort = targetPort;
        Name = name;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public string Name { get; }

    public int Port { get; }

    public int TargetPort { get; }

    public LinkMode Mode => _mode;

    public TimeSpan Latency { get; private set; }

    public long BytesPerSecond { get; private set; }

    public long BytesUp => Interlocked.Read(ref _bytesUp);

    public long BytesDown => Interlocked.Read(ref _bytesDown);

    public void Pass() => SetMode(LinkMode.Pass);

    public void Blackhole() => SetMode(LinkMode.Blackhole);

    /// <summary>Resets every connection and refuses new ones until the mode changes.</summary>
    public void Refuse()
    {
        SetMode(LinkMode.Refuse);
        lock (_lock)
        {
            foreach (var socket in _sockets)
            {
                Reset(socket);
            }

            _sockets.Clear();
        }
    }

    public void Slow(TimeSpan latency, long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        Latency = latency;
        BytesPerSecond = bytesPerSecond;
        SetMode(LinkMode.Slow);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Refuse();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private void SetMode(LinkMode mode)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _mode = mode;
            changed = _modeChanged;
            _modeChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private Task ModeChanged
    {
        get
        {
            lock (_lock)
            {
                return _modeChanged.Task;
            }
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            if (_mode == LinkMode.Refuse)
            {
                Reset(inbound);
                continue;
            }

            _ = ConnectionAsync(inbound);
        }
    }

    private async Task ConnectionAsync(Socket inbound)
    {
        var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        inbound.NoDelay = true;
        lock (_lock)
        {
            _sockets.Add(inbound);
            _sockets.Add(outbound);
        }

        try
        {
            // A black hole holds the connection attempt: nothing reaches the target until the link is back.
            while (_mode == LinkMode.Blackhole && !_stop.IsCancellationRequested)
            {
                await ModeChanged.WaitAsync(_stop.Token);
            }

            await outbound.ConnectAsync(IPAddress.Loopback, TargetPort, _stop.Token);
            var up = PumpAsync(inbound, outbound, _upstream, true);
            var down = PumpAsync(outbound, inbound, _downstream, false);
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // a reset, a closed peer, a refused target or the proxy stopping ends the connection
        }
        finally
        {
            lock (_lock)
            {
                _sockets.Remove(inbound);
                _sockets.Remove(outbound);
            }

            Reset(inbound);
            Reset(outbound);
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Length, long ReadAtTicks);

    /// <summary>One direction: a reader that stamps chunks, a writer that holds them (black hole), delays them (slow) or sends them.</summary>
    private async Task PumpAsync(Socket from, Socket to, Bandwidth bandwidth, bool upstream)
    {
        var chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        var writer = WriteLoopAsync(to, chunks.Reader, bandwidth, upstream);
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                var n = await from.ReceiveAsync(buffer.AsMemory(0, ChunkBytes), SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                await chunks.Writer.WriteAsync(new Chunk(buffer, n, Environment.TickCount64), _stop.Token);
            }
        }
        finally
        {
            chunks.Writer.TryComplete();
        }

        await writer;
    }

    private async Task WriteLoopAsync(Socket to, ChannelReader<Chunk> chunks, Bandwidth bandwidth, bool upstream)
    {
        await foreach (var chunk in chunks.ReadAllAsync(_stop.Token))
        {
            try
            {
                while (_mode == LinkMode.Blackhole)
                {
                    await ModeChanged.WaitAsync(_stop.Token);
                }

                if (_mode == LinkMode.Slow)
                {
                    var due = chunk.ReadAtTicks + (long)Latency.TotalMilliseconds - Environment.TickCount64;
                    if (due > 0)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(due), _stop.Token);
                    }

                    var wait = bandwidth.Reserve(chunk.Length, BytesPerSecond);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _stop.Token);
                    }
                }

                var sent = 0;
                while (sent < chunk.Length)
                {
                    sent += await to.SendAsync(chunk.Buffer.AsMemory(sent, chunk.Length - sent), SocketFlags.None, _stop.Token);
                }

                Interlocked.Add(ref upstream ? ref _bytesUp : ref _bytesDown, chunk.Length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
        }
    }

    /// <summary>A token bucket of one direction: the time the link is busy until, advanced by each chunk's bytes.</summary>
    private sealed class Bandwidth
    {
        private readonly Lock _lock = new();
        private long _busyUntilTicks;

        public TimeSpan Reserve(int bytes, long bytesPerSecond)
        {
            var now = Environment.TickCount64;
            lock (_lock)
            {
                var start = Math.Max(now, _busyUntilTicks);
                _busyUntilTicks = start + Math.Max(1, bytes * 1000 / bytesPerSecond);
                return TimeSpan.FromMilliseconds(_busyUntilTicks - now);
            }
        }
    }
}
