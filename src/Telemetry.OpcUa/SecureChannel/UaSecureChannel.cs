using System.Collections.Concurrent;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Transport;

namespace Telemetry.OpcUa.SecureChannel;

/// <summary>
/// A UA Secure Conversation channel (OPC 10000-6 §6.7) over one <see cref="UaTcpConnection"/>: OPN/CLO/MSG,
/// chunking within the negotiated sizes, request/response matching by request id, per-request timeouts
/// (<see cref="TimeoutException"/>), and token renewal at 75% of the token lifetime. Security plugs in through
/// <see cref="IChannelSecurity"/> (None, or Sign/SignAndEncrypt with <see cref="Security.UaChannelSecurity"/>, which
/// the channel owns and disposes).
/// </summary>
public sealed partial class UaSecureChannel : IUaTcpReceiver, IAsyncDisposable
{
    private readonly SecureChannelOptions _options;
    private readonly UaTcpConnection _connection;
    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    private readonly IChannelSecurity _security;
    private int _nextRequestId;
    private uint _channelId;
    private uint _tokenId;
    private uint _previousTokenId;
    private int _disposed;

    public UaSecureChannel(SecureChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _security = options.Security;
        _connection = new UaTcpConnection(options.Limits, options.Logger);
    }

    public string EndpointUrl => _options.EndpointUrl;

    public uint ChannelId => _channelId;

    public uint TokenId => Volatile.Read(ref _tokenId);

    public ChannelSecurityToken? CurrentToken { get; private set; }

    public bool IsBroken => _connection.IsBroken;

    public NegotiatedLimits? Limits => _connection.Limits;

    public TimeProvider TimeProvider => _options.TimeProvider;

    /// <summary>Raised once when the channel breaks (connection lost, protocol error), with the cause.</summary>
    public event Action<Exception>? Broken;

    /// <summary>HEL/ACK, then OPN Issue; throws <see cref="OpcUaException"/> or <see cref="TimeoutException"/>.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            await _connection.ConnectAsync(_options.EndpointUrl, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _connection.Break(ex);
            throw new TimeoutException($"{_options.EndpointUrl} did not complete HEL/ACK within {_options.RequestTimeout}.", ex);
        }
        catch
        {
            _connection.Break(new OpcUaException(new StatusCode(StatusCodes.BadNotConnected), "connect failed"));
            throw;
        }

        _connection.Start(this);
        var response = await OpenOrRenewAsync(SecurityTokenRequestType.Issue, cancellationToken).ConfigureAwait(false);
        _channelId = response.SecurityToken.ChannelId;
        Log.ChannelOpened(_options.Logger, _channelId, EndpointUrl, response.SecurityToken.TokenId, response.SecurityToken.RevisedLifetime);
        ScheduleRenewal(response.SecurityToken);
    }

    /// <summary>Sends a request and decodes its response (a ServiceFault becomes an <see cref="OpcUaException"/> with its result).</summary>
    public async Task<TResponse> SendRequestAsync<TResponse>(IServiceRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TResponse : IServiceResponse<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = await SendAsync(UaTcpMessageType.Message, request, timeout ?? _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            return DecodeResponse<TResponse>(message.Span, _options.Limits, request);
        }
        finally
        {
            message.Dispose();
        }
    }

    /// <summary>Sends a request and hands back the raw response body (type id + fields) for the caller to decode.</summary>
    public Task<IncomingMessage> SendRawAsync(IServiceRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(UaTcpMessageType.Message, request, timeout ?? _options.RequestTimeout, cancellationToken);
    }

    /// <summary>
    /// Sends a request whose response (or failure, or <see cref="TimeoutException"/>) goes to <paramref name="callback"/>,
    /// called on the receive loop in the order responses arrive — the publish pipeline relies on that order. The
    /// callback owns the message and must be quick (queue it).
    /// </summary>
    public void SendWithCallback(IServiceRequest request, TimeSpan timeout, Action<IncomingMessage?, Exception?> callback)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(callback);
        var requestId = NextRequestId();
        var pending = new PendingRequest(requestId, request, callback);
        if (_connection.IsBroken)
        {
            pending.Fail(new OpcUaException(new StatusCode(StatusCodes.BadSecureChannelClosed), $"The secure channel to {EndpointUrl} is closed.", _connection.BreakCause));
            return;
        }

        _pending[requestId] = pending;
        pending.Timer = _options.TimeProvider.CreateTimer(
            static state =>
            {
                var (channel, pending, timeout) = ((UaSecureChannel, PendingRequest, TimeSpan))state!;
                if (channel._pending.TryRemove(pending.RequestId, out _))
                {
                    pending.Fail(new TimeoutException($"{RequestName(pending.Request)} to {channel.EndpointUrl} got no response within {timeout}."));
                }
            },
            (this, pending, timeout),
            timeout,
            Timeout.InfiniteTimeSpan);
        _connection.Enqueue(CreateOutgoing(UaTcpMessageType.Message, request, requestId, pending));
    }

    /// <summary>Decodes <c>| encoding NodeId | fields |</c>; a ServiceFault or a Bad service result throws.</summary>
    public static TResponse DecodeResponse<TResponse>(ReadOnlySpan<byte> body, UaLimits limits, IServiceRequest? request = null)
        where TResponse : IServiceResponse<TResponse>
    {
        var reader = new UaBinaryReader(body, limits);
        var typeId = reader.ReadNodeId();
        if (typeId == new NodeId(ServiceFault.BinaryEncodingId))
        {
            var fault = ServiceFault.Decode(ref reader);
            throw new OpcUaException(fault.ResponseHeader.ServiceResult, $"{RequestName(request)} failed: {fault.ResponseHeader.ServiceResult.Description}");
        }

        if (typeId != new NodeId(TResponse.BinaryEncodingId))
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadUnknownResponse), $"{RequestName(request)} was answered with type {typeId}, expected i={TResponse.BinaryEncodingId}.");
        }

        var response = TResponse.Decode(ref reader);
        if (response.ResponseHeader.ServiceResult.IsBad)
        {
            throw new OpcUaException(response.ResponseHeader.ServiceResult, $"{RequestName(request)} failed: {response.ResponseHeader.ServiceResult.Description}");
        }

        return response;
    }

    /// <summary>Sends CLO (no response expected) and closes the connection.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (!_connection.IsBroken && _channelId != 0)
        {
            var close = new CloseSecureChannelRequest();
            close.RequestHeader.Timestamp = _options.TimeProvider.GetUtcNow().UtcDateTime;
            var outgoing = CreateOutgoing(UaTcpMessageType.CloseSecureChannel, close, NextRequestId(), pending: null);
            _connection.Enqueue(outgoing);
            try
            {
                await outgoing.Sent.WaitAsync(TimeSpan.FromSeconds(2), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OpcUaException)
            {
                // closing anyway
            }
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Breaks the channel from outside (the session's watchdog, tests).</summary>
    public void Break(Exception cause) => _connection.Break(cause);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _renewTimer?.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
        (_security as IDisposable)?.Dispose(); // the channel owns its security (keys of its tokens)
    }

    private async Task<IncomingMessage> SendAsync(UaTcpMessageType type, IServiceRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_connection.IsBroken)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadSecureChannelClosed), $"The secure channel to {EndpointUrl} is closed: {_connection.BreakCause?.Message}", _connection.BreakCause);
        }

        var requestId = NextRequestId();
        var pending = new PendingRequest(requestId, request);
        _pending[requestId] = pending;
        if (request.RequestHeader.TimeoutHint == 0)
        {
            request.RequestHeader.TimeoutHint = (uint)Math.Min(timeout.TotalMilliseconds, uint.MaxValue);
        }

        _connection.Enqueue(CreateOutgoing(type, request, requestId, pending));
        try
        {
            return await pending.Task.WaitAsync(timeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{RequestName(request)} to {EndpointUrl} got no response within {timeout}.", ex);
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    private uint NextRequestId()
    {
        var id = (uint)Interlocked.Increment(ref _nextRequestId);
        return id == 0 ? (uint)Interlocked.Increment(ref _nextRequestId) : id;
    }

    private static string RequestName(IServiceRequest? request) => request?.GetType().Name ?? "Request";

    void IUaTcpReceiver.OnBroken(Exception cause)
    {
        _renewTimer?.Dispose();
        Broken?.Invoke(cause);
        var error = cause as OpcUaException ?? new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), cause.Message, cause);
        foreach (var (id, pending) in _pending)
        {
            if (_pending.TryRemove(id, out _))
            {
                pending.Fail(new OpcUaException(error.StatusCode, $"{RequestName(pending.Request)} to {EndpointUrl} failed: {error.Message}", error));
            }
        }
    }
}
