using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;
using Telemetry.Edge.Mqtt.Diagnostics;

namespace Telemetry.Edge.Mqtt.Broker;

/// <summary>
/// The embedded broker's TCP listener (in place of MQTTnet's): enforces the connection limit and, through
/// <see cref="MqttPacketLimitStream"/>, CONNECT-first and the packet size limit, then hands each connection to
/// MQTTnet. One client's garbage only ends that client's connection.
/// </summary>
internal sealed class GuardedTcpServerAdapter : IMqttServerAdapter
{
    private readonly EmbeddedBrokerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _clients = [];
    private Socket? _listener;
    private CancellationTokenSource? _stop;
    private Task? _accept;
    private readonly X509Certificate2? _certificate;
    private int _connections;

    public GuardedTcpServerAdapter(EmbeddedBrokerOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        if (options.TlsCertificateFile is not null && options.TlsKeyFile is not null)
        {
            using var pem = X509Certificate2.CreateFromPemFile(options.TlsCertificateFile, options.TlsKeyFile);
            _certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
    }

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public IPEndPoint? LocalEndPoint { get; private set; }

    public int Connections => Volatile.Read(ref _connections);

    public long Refused;

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        var address = IPAddress.Parse(_options.ListenAddress);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(new IPEndPoint(address, _options.Port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _stop = new CancellationTokenSource();
        _accept = AcceptLoopAsync(listener, logger, _stop.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (_stop is not { } stop)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_accept is not null)
        {
            await _accept.ConfigureAwait(false);
        }

        Task[] clients;
        lock (_lock)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        // MQTTnet disposes its adapters and so do we: the second call is a no-op.
        var stop = Interlocked.Exchange(ref _stop, null);
        if (stop is null)
        {
            return;
        }

        stop.Cancel();
        _listener?.Dispose();
        stop.Dispose();
        _certificate?.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, IMqttNetLogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                Interlocked.Increment(ref Refused);
                Log.BrokerRefused(_logger, _options.Name, "?", socket.RemoteEndPoint?.ToString() ?? "?", $"more than {_options.MaxConnections} connections");
                socket.Dispose();
                continue;
            }

            var task = ServeAsync(socket, logger);
            lock (_lock)
            {
                _clients.Add(task);
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_lock)
                    {
                        _clients.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket, IMqttNetLogger logger)
    {
        await Task.Yield();
        var remote = socket.RemoteEndPoint;
        MqttPacketLimitStream? stream = null;
        try
        {
            socket.NoDelay = true;
            Stream transport = new NetworkStream(socket, ownsSocket: true);
            if (_certificate is not null)
            {
                var tls = new SslStream(transport, leaveInnerStreamOpen: false);
                transport = tls;
                using var handshake = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, handshake.Token).ConfigureAwait(false);
            }

            stream = new MqttPacketLimitStream(transport, _options.MaxPacketBytes);
            using var channel = new MqttTcpChannel(stream, remote, socket.LocalEndPoint, null);
            using var adapter = new ClientIdAssigningAdapter(new MqttChannelAdapter(channel, new MqttPacketFormatterAdapter(new MqttBufferWriter(4096, 65536)), logger));
            if (ClientHandler is { } handler)
            {
                await handler(adapter).ConfigureAwait(false);
            }
        }
        catch (System.Security.Authentication.AuthenticationException ex)
        {
            Interlocked.Increment(ref Refused);
            Log.BrokerRefused(_logger, _options.Name, "?", remote?.ToString() ?? "?", $"TLS handshake failed: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // MQTTnet handles and logs its own client errors; a guard refusal is reported below.
        }
        finally
        {
            if (stream?.Violation is { } violation)
            {
                Interlocked.Increment(ref Refused);
                Log.BrokerRefused(_logger, _options.Name, "?", remote?.ToString() ?? "?", violation);
            }

            stream?.Dispose();
            socket.Dispose();
            Interlocked.Decrement(ref _connections);
        }
    }
}
