using Microsoft.Extensions.Logging;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>
/// An OPC UA session with one server (OPC 10000-4 §5.6) that survives its connection: it connects (secure channel
/// None, Sign or SignAndEncrypt as configured, endpoint and certificate checks, CreateSession/ActivateSession), reads the namespace array and operation limits, and on
/// a broken channel reconnects with backoff, re-activates the session or creates a new one, and transfers or
/// recreates its subscriptions. Node ids in the public API carry namespace URIs; indexes are resolved per session.
/// </summary>
public sealed partial class UaSession : IAsyncDisposable
{
    private readonly UaClientOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private readonly object _gate = new();
    private UaSecureChannel? _channel;
    private NodeId _authenticationToken;
    private int _requestHandle;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private UaSession(UaClientOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("Telemetry.OpcUa.UaSession");
        _reconnectPipeline = BuildReconnectPipeline();
    }

    public string EndpointUrl => _options.EndpointUrl;

    public UaClientOptions Options => _options;

    /// <summary>The server's namespace URIs for the current session (replaced after a reconnect).</summary>
    public NamespaceTable Namespaces { get; private set; } = new(["http://opcfoundation.org/UA/"]);

    public OperationLimits OperationLimits { get; private set; } = OperationLimits.Unlimited;

    public EndpointDescription? Endpoint { get; private set; }

    public NodeId SessionId { get; private set; }

    public TimeSpan RevisedSessionTimeout { get; private set; }

    public bool IsConnected => _connected.Task.IsCompletedSuccessfully && _channel is { IsBroken: false };

    /// <summary>Sessions this object created (1 after connect; +1 per reconnect that could not re-activate).</summary>
    public int SessionCount { get; private set; }

    /// <summary>Reconnects completed (channel re-opened and session re-activated or re-created).</summary>
    public int ReconnectCount { get; private set; }

    /// <summary>Connects and activates a session; throws on failure (no retries for the first connect).</summary>
    public static async Task<UaSession> ConnectAsync(UaClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var session = new UaSession(options);
        try
        {
            await session.EstablishAsync(reuseSession: false, cancellationToken).ConfigureAwait(false);
            session.MarkConnected();
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return session;
    }

    /// <summary>Sends a service request on the current session (waiting for a reconnect in progress, within the timeout).</summary>
    public async Task<TResponse> CallAsync<TResponse>(IServiceRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TResponse : IServiceResponse<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        var wait = timeout ?? _options.RequestTimeout;
        var channel = await WaitForChannelAsync(wait, cancellationToken).ConfigureAwait(false);
        PrepareHeader(request, wait);
        return await channel.SendRequestAsync<TResponse>(request, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls on the current channel without waiting for "connected" (used while a reconnect restores subscriptions).</summary>
    internal async Task<TResponse> CallOnCurrentChannelAsync<TResponse>(IServiceRequest request, CancellationToken cancellationToken)
        where TResponse : IServiceResponse<TResponse>
    {
        var channel = _channel ?? throw new OpcUaException(new StatusCode(StatusCodes.BadNotConnected), $"{EndpointUrl} is not connected.");
        PrepareHeader(request, _options.RequestTimeout);
        return await channel.SendRequestAsync<TResponse>(request, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
    }

    internal Task<TResponse> CallForSubscriptionAsync<TResponse>(IServiceRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TResponse : IServiceResponse<TResponse> =>
        Volatile.Read(ref _reconnecting) != 0 && _channel is { IsBroken: false }
            ? CallOnCurrentChannelAsync<TResponse>(request, cancellationToken)
            : CallAsync<TResponse>(request, timeout, cancellationToken);

    /// <summary>Closes the session (deleting its subscriptions) and the channel.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        var channel = _channel;
        if (channel is not null && !channel.IsBroken)
        {
            try
            {
                var request = new CloseSessionRequest { DeleteSubscriptions = true };
                PrepareHeader(request, TimeSpan.FromSeconds(5));
                await channel.SendRequestAsync<CloseSessionResponse>(request, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OpcUaException or TimeoutException)
            {
                // the server may already be gone
            }

            await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        _connected.TrySetException(new ObjectDisposedException(nameof(UaSession)));
        await StopSubscriptionsAsync().ConfigureAwait(false);
        var channel = _channel;
        if (channel is not null)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _reconnectTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _disposing.Dispose();
        _ownCertificate?.Dispose();
    }

    private void PrepareHeader(IServiceRequest request, TimeSpan timeout)
    {
        var header = request.RequestHeader;
        header.AuthenticationToken = _authenticationToken;
        header.Timestamp = _options.TimeProvider.GetUtcNow().UtcDateTime;
        header.RequestHandle = (uint)Interlocked.Increment(ref _requestHandle);
        header.TimeoutHint = (uint)Math.Min(timeout.TotalMilliseconds, uint.MaxValue);
    }

    private async Task<UaSecureChannel> WaitForChannelAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var connected = _connected.Task;
        if (!connected.IsCompleted)
        {
            try
            {
                await connected.WaitAsync(timeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{EndpointUrl} is not connected (reconnecting for longer than {timeout}).", ex);
            }
        }

        return _channel ?? throw new OpcUaException(new StatusCode(StatusCodes.BadNotConnected), $"{EndpointUrl} is not connected.");
    }

    /// <summary>
    /// Opens a channel, checks the endpoint, then re-activates the current session (<paramref name="reuseSession"/>)
    /// or creates a new one, and reads the namespace array and operation limits.
    /// </summary>
    private async Task<bool> EstablishAsync(bool reuseSession, CancellationToken cancellationToken)
    {
        UaSecureChannel? channel = null;
        try
        {
            (channel, var endpoint) = await OpenChannelAsync(cancellationToken).ConfigureAwait(false);
            var reactivated = false;
            if (reuseSession && !_authenticationToken.IsNull)
            {
                try
                {
                    await ActivateAsync(channel, endpoint, cancellationToken).ConfigureAwait(false);
                    reactivated = true;
                }
                catch (OpcUaException ex) when (!ex.StatusCode.IsGood)
                {
                    // The server no longer knows the session (restarted, timed out): create a new one.
                    _authenticationToken = NodeId.Null;
                }
            }

            if (!reactivated)
            {
                await CreateAndActivateAsync(channel, endpoint, cancellationToken).ConfigureAwait(false);
            }

            Endpoint = endpoint;
            var old = Interlocked.Exchange(ref _channel, channel);
            channel.Broken += OnChannelBroken;
            if (old is not null)
            {
                await old.DisposeAsync().ConfigureAwait(false);
            }

            if (!reactivated)
            {
                await ReadServerInfoAsync(channel, cancellationToken).ConfigureAwait(false);
            }

            Log.SessionActivated(_logger, SessionId.ToString(), EndpointUrl);
            if (channel.IsBroken)
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadConnectionClosed), $"{EndpointUrl} closed the connection right after activation.");
            }

            return reactivated;
        }
        catch
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task CreateAndActivateAsync(UaSecureChannel channel, EndpointDescription endpoint, CancellationToken cancellationToken)
    {
        var clientNonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var create = new CreateSessionRequest
        {
            ClientDescription = new ApplicationDescription
            {
                ApplicationUri = _options.ApplicationUri,
                ProductUri = "urn:telemetry",
                ApplicationName = new LocalizedText(null, _options.ApplicationName),
                ApplicationType = ApplicationType.Client,
            },
            EndpointUrl = _options.EndpointUrl,
            SessionName = _options.SessionName,
            ClientNonce = clientNonce,
            ClientCertificate = _policy is null ? null : _ownCertificate?.RawData,
            RequestedSessionTimeout = _options.SessionTimeout.TotalMilliseconds,
            MaxResponseMessageSize = (uint)_options.Limits.MaxMessageSize,
        };
        PrepareHeader(create, _options.RequestTimeout);
        create.RequestHeader.AuthenticationToken = NodeId.Null;
        var created = await channel.SendRequestAsync<CreateSessionResponse>(create, cancellationToken: cancellationToken).ConfigureAwait(false);
        _serverNonce = created.ServerNonce;
        _serverCertificate = created.ServerCertificate is { Length: > 0 } ? created.ServerCertificate : endpoint.ServerCertificate;
        if (_policy is not null)
        {
            VerifyServerSignature(created, endpoint, clientNonce);
        }

        _authenticationToken = created.AuthenticationToken;
        SessionId = created.SessionId;
        RevisedSessionTimeout = TimeSpan.FromMilliseconds(created.RevisedSessionTimeout);
        SessionCount++;
        await ActivateAsync(channel, endpoint, cancellationToken).ConfigureAwait(false);
    }

    private async Task ActivateAsync(UaSecureChannel channel, EndpointDescription endpoint, CancellationToken cancellationToken)
    {
        var (token, tokenSignature) = UserTokens.Create(
            _options.Identity, endpoint, EndpointUrl, _serverNonce, _serverCertificate ?? endpoint.ServerCertificate, _options.AllowDeprecatedPolicies);
        var activate = new ActivateSessionRequest { ClientSignature = ClientSignature(), UserIdentityToken = token, UserTokenSignature = tokenSignature };
        PrepareHeader(activate, _options.RequestTimeout);
        var activated = await channel.SendRequestAsync<ActivateSessionResponse>(activate, cancellationToken: cancellationToken).ConfigureAwait(false);
        _serverNonce = activated.ServerNonce is { Length: > 0 } next ? next : _serverNonce; // the next activation signs the new nonce
    }

    private async Task ReadServerInfoAsync(UaSecureChannel channel, CancellationToken cancellationToken)
    {
        ReadValueId[] nodes =
        [
            new(new NodeId(UaNodeIds.Server_NamespaceArray)),
            new(new NodeId(UaNodeIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead)),
            new(new NodeId(UaNodeIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerBrowse)),
            new(new NodeId(UaNodeIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerTranslateBrowsePathsToNodeIds)),
            new(new NodeId(UaNodeIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall)),
        ];
        var request = new ReadRequest { NodesToRead = nodes, TimestampsToReturn = TimestampsToReturn.Neither };
        PrepareHeader(request, _options.RequestTimeout);
        var response = await channel.SendRequestAsync<ReadResponse>(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Results.Length != nodes.Length || response.Results[0].Value.ArrayValue is not string?[] uris)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadUnexpectedError), $"{EndpointUrl} did not return its NamespaceArray.");
        }

        Namespaces = new NamespaceTable(uris);
        OperationLimits = new OperationLimits(Limit(response.Results[1]), Limit(response.Results[2]), Limit(response.Results[3]), Limit(response.Results[4]));

        static int Limit(DataValue value) => value.StatusCode.IsGood && value.Value.Type == BuiltInType.UInt32
            ? OperationLimits.Normalize(value.Value.AsUInt32())
            : int.MaxValue;
    }
}
