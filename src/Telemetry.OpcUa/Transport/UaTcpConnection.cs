using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Transport;

/// <summary>Receives whole UA-TCP chunks from the connection's receive loop (the secure channel).</summary>
public interface IUaTcpReceiver
{
    /// <summary>One complete chunk (header included), valid only during the call.</summary>
    void OnChunk(UaTcpMessageHeader header, ReadOnlySpan<byte> chunk);

    /// <summary>The connection broke (once), with the cause.</summary>
    void OnBroken(Exception cause);
}

/// <summary>A message the send loop writes: the secure channel chunks it into the pipe.</summary>
public interface IUaTcpOutgoing
{
    void WriteTo(IBufferWriter<byte> output, NegotiatedLimits limits);

    void Fail(Exception cause);
}

/// <summary>
/// One UA-TCP connection (OPC 10000-6 §7.1): a Socket with System.IO.Pipelines, the HEL/ACK handshake, one receive
/// loop that frames chunks (checking every size against the negotiated limits before buffering), one send loop,
/// and an idempotent <see cref="Break"/> that fails everything with its cause.
/// </summary>
public sealed class UaTcpConnection : IAsyncDisposable
{
    private readonly UaLimits _limits;
    private readonly ILogger _logger;
    private readonly Channel<IUaTcpOutgoing> _outgoing = Channel.CreateUnbounded<IUaTcpOutgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _shutdown = new();
    private Socket? _socket;
    private PipeReader? _input;
    private PipeWriter? _output;
    private IUaTcpReceiver? _receiver;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _sendLoop = Task.CompletedTask;
    private Exception? _broken;
    private int _breaking;

    public UaTcpConnection(UaLimits limits, ILogger logger)
    {
        _limits = limits;
        _logger = logger;
    }

    public string EndpointUrl { get; private set; } = string.Empty;

    public NegotiatedLimits? Limits { get; private set; }

    public bool IsBroken => Volatile.Read(ref _breaking) != 0;

    public Exception? BreakCause => _broken;

    /// <summary>Connects, sends HEL, waits for ACK (or ERR) within the token's time.</summary>
    public async Task ConnectAsync(string endpointUrl, CancellationToken cancellationToken = default)
    {
        EndpointUrl = endpointUrl;
        var (host, port) = ParseEndpoint(endpointUrl);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new OpcUaException(new StatusCode(StatusCodes.BadNotConnected), $"Cannot connect to {endpointUrl}: {ex.Message}", ex);
        }

        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024));

        var hello = new HelloMessage(0, (uint)_limits.ReceiveBufferSize, (uint)_limits.SendBufferSize, (uint)_limits.MaxMessageSize, (uint)_limits.MaxChunkCount, endpointUrl);
        await _output.WriteAsync(hello.Encode(), cancellationToken).ConfigureAwait(false);

        var (header, body) = await ReadHandshakeAsync(cancellationToken).ConfigureAwait(false);
        if (header.MessageType == UaTcpMessageType.Error)
        {
            throw ErrorMessage.Decode(body).ToException(endpointUrl);
        }

        if (header.MessageType != UaTcpMessageType.Acknowledge)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadTcpMessageTypeInvalid), $"{endpointUrl} answered HEL with {header} instead of ACK.");
        }

        var ack = AcknowledgeMessage.Decode(body);
        if (ack.ReceiveBufferSize < 8192 || ack.SendBufferSize < 8192)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadTcpInternalError), $"{endpointUrl} acknowledged buffer sizes below 8192 ({ack}).");
        }

        // We send chunks no larger than the server receives (and no larger than we offered to send).
        Limits = new NegotiatedLimits(
            SendChunkSize: (int)Math.Min(ack.ReceiveBufferSize, (uint)_limits.SendBufferSize),
            ReceiveChunkSize: (int)Math.Min(ack.SendBufferSize, (uint)_limits.ReceiveBufferSize),
            MaxSendMessageSize: ack.MaxMessageSize == 0 ? int.MaxValue : (int)Math.Min(ack.MaxMessageSize, int.MaxValue),
            MaxSendChunkCount: ack.MaxChunkCount == 0 ? int.MaxValue : (int)Math.Min(ack.MaxChunkCount, int.MaxValue),
            MaxReceiveMessageSize: _limits.MaxMessageSize,
            MaxReceiveChunkCount: _limits.MaxChunkCount);
        Log.TransportConnected(_logger, endpointUrl, Limits.SendChunkSize, Limits.ReceiveChunkSize);
    }

    /// <summary>Starts the receive and send loops; chunks go to <paramref name="receiver"/>.</summary>
    public void Start(IUaTcpReceiver receiver)
    {
        _receiver = receiver;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _sendLoop = Task.Run(SendLoopAsync);
    }

    /// <summary>Queues a message for the send loop (false if the connection is broken; the message is failed).</summary>
    public bool Enqueue(IUaTcpOutgoing message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (IsBroken || !_outgoing.Writer.TryWrite(message))
        {
            message.Fail(BrokenException());
            return false;
        }

        return true;
    }

    /// <summary>Marks the connection broken (first call wins): closes the socket, fails queued sends, tells the receiver once.</summary>
    public void Break(Exception cause)
    {
        if (Interlocked.Exchange(ref _breaking, 1) != 0)
        {
            return;
        }

        _broken = cause;
        Log.TransportBroken(_logger, EndpointUrl, cause.Message);
        _outgoing.Writer.TryComplete();
        _shutdown.Cancel();
        try
        {
            _socket?.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }

        while (_outgoing.Reader.TryRead(out var queued))
        {
            queued.Fail(BrokenException());
        }

        _receiver?.OnBroken(cause);
    }

    public async ValueTask DisposeAsync()
    {
        Break(new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), $"The connection to {EndpointUrl} was closed by the client."));
        try
        {
            await Task.WhenAll(_receiveLoop, _sendLoop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }

        _shutdown.Dispose();
    }

    private OpcUaException BrokenException() =>
        new(new StatusCode(StatusCodes.BadConnectionClosed), $"The connection to {EndpointUrl} is broken: {_broken?.Message}", _broken);

    private async Task<(UaTcpMessageHeader Header, byte[] Body)> ReadHandshakeAsync(CancellationToken cancellationToken)
    {
        var input = _input!;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (UaTcpMessageHeader.TryRead(buffer, out var header))
            {
                if (header.MessageType is not (UaTcpMessageType.Acknowledge or UaTcpMessageType.Error) || header.ChunkType != UaTcpMessageHeader.Final)
                {
                    throw new OpcUaException(new StatusCode(StatusCodes.BadTcpMessageTypeInvalid), $"{EndpointUrl} answered HEL with {header} instead of ACK: not an OPC UA server?");
                }

                if (header.MessageSize < UaTcpMessageHeader.Size || header.MessageSize > 8192)
                {
                    throw new OpcUaException(new StatusCode(StatusCodes.BadTcpMessageTooLarge), $"{EndpointUrl} answered HEL with a {header.MessageSize} B message.");
                }

                if (buffer.Length >= header.MessageSize)
                {
                    var body = buffer.Slice(UaTcpMessageHeader.Size, header.MessageSize - UaTcpMessageHeader.Size).ToArray();
                    input.AdvanceTo(buffer.GetPosition(header.MessageSize));
                    return (header, body);
                }
            }

            if (result.IsCompleted)
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), $"{EndpointUrl} closed the connection during HEL/ACK.");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var input = _input!;
        var limits = Limits!;
        var token = _shutdown.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var result = await input.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (UaTcpMessageHeader.TryRead(buffer, out var header))
                {
                    if (!header.IsKnownType || !header.IsKnownChunkType)
                    {
                        throw new OpcUaException(new StatusCode(StatusCodes.BadTcpMessageTypeInvalid), $"{EndpointUrl} sent an unknown message type ({header}).");
                    }

                    if (header.MessageSize < UaTcpMessageHeader.Size + 4 || header.MessageSize > limits.ReceiveChunkSize)
                    {
                        throw new OpcUaException(
                            new StatusCode(StatusCodes.BadTcpMessageTooLarge),
                            $"{EndpointUrl} sent a {header.MessageSize} B chunk; the negotiated receive buffer is {limits.ReceiveChunkSize} B.");
                    }

                    if (buffer.Length < header.MessageSize)
                    {
                        break;
                    }

                    var chunk = buffer.Slice(0, header.MessageSize);
                    Deliver(header, chunk);
                    buffer = buffer.Slice(header.MessageSize);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    throw new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), $"{EndpointUrl} closed the connection.");
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (OpcUaException ex)
        {
            Break(ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Break(new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), $"Receiving from {EndpointUrl} failed: {ex.Message}", ex));
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Deliver(UaTcpMessageHeader header, ReadOnlySequence<byte> chunk)
    {
        if (header.MessageType == UaTcpMessageType.Error)
        {
            var bytes = chunk.Slice(UaTcpMessageHeader.Size).ToArray();
            throw ErrorMessage.Decode(bytes).ToException(EndpointUrl);
        }

        if (chunk.IsSingleSegment)
        {
            _receiver!.OnChunk(header, chunk.FirstSpan);
            return;
        }

        var length = (int)chunk.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            chunk.CopyTo(rented);
            _receiver!.OnChunk(header, rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task SendLoopAsync()
    {
        var output = _output!;
        var reader = _outgoing.Reader;
        var token = _shutdown.Token;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    try
                    {
                        message.WriteTo(output, Limits!);
                    }
                    catch (OpcUaException ex)
                    {
                        // This message cannot be sent (too large, …): fail it, keep the connection.
                        message.Fail(ex);
                        continue;
                    }

                    if (output.UnflushedBytes > 256 * 1024)
                    {
                        await output.FlushAsync(token).ConfigureAwait(false);
                    }
                }

                var flush = await output.FlushAsync(token).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Break(new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), $"Sending to {EndpointUrl} failed: {ex.Message}", ex));
        }
        finally
        {
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>opc.tcp://host[:port][/path] (default port 4840).</summary>
    public static (string Host, int Port) ParseEndpoint(string endpointUrl)
    {
        ArgumentNullException.ThrowIfNull(endpointUrl);
        if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) || !string.Equals(uri.Scheme, "opc.tcp", StringComparison.OrdinalIgnoreCase))
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadTcpEndpointUrlInvalid), $"'{endpointUrl}' is not an opc.tcp:// endpoint URL.");
        }

        return (uri.Host.Trim('[', ']'), uri.Port < 0 ? 4840 : uri.Port);
    }
}
