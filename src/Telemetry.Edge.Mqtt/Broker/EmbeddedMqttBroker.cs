using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Broker;
using Telemetry.Edge.Mqtt.Diagnostics;
using Telemetry.Edge.Mqtt.Mapping;
using Telemetry.Edge.Mqtt.Pipeline;
using Telemetry.Edge.Mqtt.Sparkplug;

namespace Telemetry.Edge.Mqtt;

/// <summary>
/// The edge's own MQTT broker (MQTTnet.Server) for sites without one. Every message published to it goes through
/// the same mapping rules into the sink; a QoS 1/2 publisher gets its PUBACK only after the samples are durable.
/// Other clients may subscribe as with any broker. Users are checked against PBKDF2 hashes; anonymous clients
/// only when allowed; connection count and packet size are limited per <see cref="EmbeddedBrokerOptions"/>.
/// </summary>
public sealed class EmbeddedMqttBroker : ISampleSource
{
    private const string PendingAcksKey = "telemetry.pending-acks";
    private readonly EmbeddedBrokerOptions _options;
    private readonly ILogger _logger;
    private readonly MqttMetrics _metrics;
    private readonly ConcurrentDictionary<string, byte[]> _verified = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _users;
    private readonly TaskCompletionSource<int> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile SourceLinkState _state = SourceLinkState.Starting;
    private string? _lastError;
    private long _refusedLogins;
    private readonly List<RebirthRequest> _rebirths = [];

    public EmbeddedMqttBroker(EmbeddedBrokerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _metrics = new MqttMetrics(options.Name, _logger, options.TimeProvider);
        _users = options.Users.ToDictionary(u => u.UserName, u => u.PasswordHash, StringComparer.Ordinal);
    }

    public string Name => _options.Name;

    public string Kind => "mqtt-broker";

    /// <summary>Completes with the bound port once the broker listens (useful with Port = 0).</summary>
    public Task<int> Started => _started.Task;

    public long RefusedLogins => Interlocked.Read(ref _refusedLogins);

    public SourceHealth GetHealth() => new(Name, Kind, _state, _metrics.SamplesMapped, _metrics.LastSampleUnixNs, _lastError);

    public MqttStatistics GetStatistics() => _metrics.Snapshot();

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        using var pipeline = new IngestPipeline(Name, new MessageMapper(_options.Rules), _metrics, _logger, _options.MaxBatchSamples, _options.TimeProvider);
        using var adapter = new GuardedTcpServerAdapter(_options, _logger);
        var serverOptions = new MqttServerOptionsBuilder()
            .WithMaxPendingMessagesPerClient(_options.MaxPendingMessagesPerClient)
            .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(10))
            .Build();
        using var server = new MqttServerFactory().CreateMqttServer(serverOptions, [adapter]);
        server.ValidatingConnectionAsync += ValidateAsync;
        server.InterceptingPublishAsync += args => InterceptAsync(pipeline, args, _options.MaxInFlightPerClient);
        server.InterceptingOutboundPacketAsync += HoldAcknowledgementAsync;
        pipeline.AfterFlush = ct => PublishRebirthRequestsAsync(server, pipeline, ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = pipeline.RunAsync(sink, stop.Token);
        try
        {
            await server.StartAsync().ConfigureAwait(false);
            _state = SourceLinkState.Connected;
            var endpoint = adapter.LocalEndPoint!;
            Log.BrokerStarted(_logger, Name, endpoint.ToString());
            _started.TrySetResult(endpoint.Port);
            await writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _state = SourceLinkState.Faulted;
            _lastError = $"embedded MQTT broker {Name} on {_options.ListenAddress}:{_options.Port}: {ex.Message}";
            _started.TrySetException(ex);
            throw new MqttSourceException(_lastError, isTransient: false, ex);
        }
        finally
        {
            _started.TrySetCanceled(CancellationToken.None);
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await server.StopAsync(new MqttServerStopOptionsBuilder().Build()).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Stopping: clients are gone either way.
            }

            await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _state = SourceLinkState.Disconnected;
            Log.BrokerStopped(_logger, Name);
        }
    }

    private Task ValidateAsync(ValidatingConnectionEventArgs args)
    {
        var endpoint = args.RemoteEndPoint?.ToString() ?? "?";
        if (string.IsNullOrEmpty(args.ClientId))
        {
            // MQTT 5: a client without an id gets one (3.1.1 clients get theirs in ClientIdAssigningAdapter).
            args.AssignedClientIdentifier = "edge-" + Guid.NewGuid().ToString("N");
        }

        if (string.IsNullOrEmpty(args.UserName))
        {
            if (!_options.AllowAnonymous)
            {
                Refuse(args, MqttConnectReasonCode.NotAuthorized, endpoint, "anonymous clients are not allowed");
            }

            return Task.CompletedTask;
        }

        if (!_users.TryGetValue(args.UserName, out var hash) || !Verify(args.UserName, args.Password ?? string.Empty, hash))
        {
            Refuse(args, MqttConnectReasonCode.BadUserNameOrPassword, endpoint, $"wrong user name or password for '{args.UserName}'");
        }

        return Task.CompletedTask;
    }

    private void Refuse(ValidatingConnectionEventArgs args, MqttConnectReasonCode code, string endpoint, string why)
    {
        args.ReasonCode = code;
        Interlocked.Increment(ref _refusedLogins);
        Log.BrokerRefused(_logger, Name, args.ClientId ?? "?", endpoint, why);
    }

    /// <summary>PBKDF2 is slow on purpose; a password that verified once is remembered by its SHA-256.</summary>
    private bool Verify(string user, string password, string hash)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        if (_verified.TryGetValue(user, out var known) && CryptographicOperations.FixedTimeEquals(known, digest))
        {
            return true;
        }

        if (!MqttPasswordHash.Verify(password, hash))
        {
            return false;
        }

        _verified[user] = digest;
        return true;
    }

    /// <summary>
    /// Maps a client's message. For QoS 1/2 it queues a <see cref="BrokerAck"/> in the client's session, in
    /// receive order; MQTTnet sends the PUBACK/PUBREC from the client's send loop, where
    /// <see cref="HoldAcknowledgementAsync"/> holds it until the samples are durable. So the publisher's next
    /// messages keep flowing (its in-flight window) and many messages share one spool commit.
    /// </summary>
    private static async Task InterceptAsync(IngestPipeline pipeline, InterceptingPublishEventArgs args, int maxInFlight)
    {
        if (args.ClientId is null || args.ClientId.Length == 0)
        {
            return; // our own injected messages (Sparkplug rebirth requests)
        }

        var message = args.ApplicationMessage;
        if (message.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
        {
            await pipeline.AcceptAsync(message.Topic, message.Payload, null, args.CancellationToken).ConfigureAwait(false);
            return;
        }

        // Only this client's receive loop creates the state; its send loop reads it after the PUBACK was queued.
        if (args.SessionItems[PendingAcksKey] is not ClientAcks acks)
        {
            acks = new ClientAcks();
            args.SessionItems[PendingAcksKey] = acks;
        }

        // Max in flight: this client's receive loop waits until its oldest message is durable.
        while (acks.InFlight.TryPeek(out var oldest) && (oldest.Durable.IsCompleted || acks.InFlight.Count >= maxInFlight))
        {
            await oldest.Durable.WaitAsync(args.CancellationToken).ConfigureAwait(false);
            acks.InFlight.Dequeue();
        }

        var ack = new BrokerAck();
        acks.ToSend.Enqueue(ack);
        acks.InFlight.Enqueue(ack);
        await pipeline.AcceptAsync(message.Topic, message.Payload, ack, args.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Holds an outgoing PUBACK/PUBREC (answers to a client's QoS 1/2 PUBLISH, in order) until that message is durable.</summary>
    private static async Task HoldAcknowledgementAsync(InterceptingPacketEventArgs args)
    {
        if (args.Packet is MqttPubAckPacket or MqttPubRecPacket &&
            args.SessionItems?[PendingAcksKey] is ClientAcks acks &&
            acks.ToSend.TryDequeue(out var ack))
        {
            await ack.Durable.WaitAsync(args.CancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask PublishRebirthRequestsAsync(MqttServer server, IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        pipeline.TakeRebirthRequests(_rebirths);
        foreach (var request in _rebirths)
        {
            _metrics.RebirthRequested();
            Log.RebirthRequested(_logger, Name, request.Group, request.EdgeNode, request.Reason);
            try
            {
                var message = new MqttApplicationMessageBuilder()
                    .WithTopic(SparkplugCommands.RebirthTopic(request.Group, request.EdgeNode))
                    .WithPayload(SparkplugCommands.Rebirth(UnixTime.Now(_options.TimeProvider) / 1_000_000))
                    .Build();
                await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.RebirthFailed(_logger, ex, Name, request.Group, request.EdgeNode);
            }
        }

        _rebirths.Clear();
    }

    /// <summary>Per client: acknowledgements to release in the send loop, and the receive loop's in-flight window.</summary>
    private sealed class ClientAcks
    {
        public ConcurrentQueue<BrokerAck> ToSend { get; } = new();

        public Queue<BrokerAck> InFlight { get; } = new();
    }
}
