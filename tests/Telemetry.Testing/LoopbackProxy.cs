using System.Net;
using System.Net.Sockets;

namespace Telemetry.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 that the test controls: forwards to a target port, and can cut the link (existing
/// connections severed, new ones closed at once) to simulate a network or datacenter outage.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _acceptLoop;
    private volatile bool _down;

    public LoopbackProxy(int targetPort)
    {
        TargetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public int TargetPort { get; set; }

    public bool IsDown => _down;

    /// <summary>Cuts the link: severs every connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _down = true;
        lock (_lock)
        {
            foreach (var c in _connections)
            {
                c.Client.LingerState = new LingerOption(true, 0); // RST, like a dead link or a killed server
                c.Dispose();
            }

            _connections.Clear();
        }
    }

    public void Restore() => _down = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            if (_down)
            {
                inbound.Client.LingerState = new LingerOption(true, 0);
                inbound.Dispose();
                continue;
            }

            _ = PumpAsync(inbound);
        }
    }

    private async Task PumpAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, TargetPort, _stop.Token);
        }
        catch (Exception)
        {
            inbound.Client.LingerState = new LingerOption(true, 0);
            inbound.Dispose();
            outbound.Dispose();
            return;
        }

        lock (_lock)
        {
            _connections.Add(inbound);
            _connections.Add(outbound);
        }

        try
        {
            var a = inbound.GetStream().CopyToAsync(outbound.GetStream(), _stop.Token);
            var b = outbound.GetStream().CopyToAsync(inbound.GetStream(), _stop.Token);
            await Task.WhenAny(a, b);
        }
        catch (Exception)
        {
            // a cut or a closed peer ends the pump
        }
        finally
        {
            lock (_lock)
            {
                _connections.Remove(inbound);
                _connections.Remove(outbound);
            }

            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
