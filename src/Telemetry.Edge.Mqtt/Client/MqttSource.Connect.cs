using System.Buffers;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Telemetry.Edge.Mqtt.Client;
using Telemetry.Edge.Mqtt.Diagnostics;
using Telemetry.Edge.Mqtt.Pipeline;

namespace Telemetry.Edge.Mqtt;

/// <summary>One connection attempt: a fresh MQTTnet client, CONNECT, SUBSCRIBE when the session is new.</summary>
public sealed partial class MqttSource
{
    /// <summary>
    /// The socket's receive (and send) buffer. MQTTnet sets both to its BufferSize, 8 KiB by default, which turns off the
    /// kernel's autotuning and window scaling: with a 16 KiB receive buffer the broker's sends to the edge were
    /// window-limited (measured in the harness: window 5.7 KB, 3.7 MB waiting in Mosquitto's send queue, ~60-85 PUBLISH/s
    /// delivered while 400/s arrived, both processes idle), so a backlog never drained under a steady load. The kernel
    /// caps the value at net.core.rmem_max / wmem_max.
    /// </summary>
    internal const int SocketBufferBytes = 4 * 1024 * 1024;

    private async Task<Connection> ConnectAsync(IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        // A fresh client per connection: a deferred acknowledgement of an old connection can never go out on a
        // new one under a reused packet id.
        var client = new MqttClientFactory().CreateMqttClient();
        var disconnected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopping = cancellationToken;
        client.ApplicationMessageReceivedAsync += args => OnMessageAsync(pipeline, args, stopping);
        client.DisconnectedAsync += args =>
        {
            disconnected.TrySetResult(DescribeDisconnect(args));
            return Task.CompletedTask;
        };

        try
        {
            MqttClientConnectResult result;
            try
            {
                result = await client.ConnectAsync(BuildClientOptions(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw DescribeConnectFailure(ex);
            }

            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw Refused(result.ResultCode.ToString(), result.ReasonString);
            }

            var subscribed = 0;
            if (!result.IsSessionPresent || _options.CleanStart)
            {
                subscribed = await SubscribeAsync(client, cancellationToken).ConfigureAwait(false);
            }

            if (_options.SparkplugHostId is { } hostId)
            {
                await client.PublishAsync(HostState(hostId, online: true), cancellationToken).ConfigureAwait(false);
            }

            _client = client;
            Log.Connected(_logger, Name, _broker, result.IsSessionPresent, subscribed);
            SetState(Telemetry.Core.SourceLinkState.Connected, null);
            return new Connection(client, disconnected.Task);
        }
        catch
        {
            await CloseAsync(client, true).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<int> SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var s in _options.Subscriptions)
        {
            builder.WithTopicFilter(s.EffectiveFilter, (MqttQualityOfServiceLevel)(int)s.Qos);
        }

        var result = await client.SubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        var granted = 0;
        foreach (var item in result.Items)
        {
            if (item.ResultCode is MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2)
            {
                granted++;
            }
            else
            {
                Log.SubscribeRefused(_logger, Name, _broker, item.TopicFilter.Topic, item.ResultCode.ToString());
            }
        }

        if (granted == 0)
        {
            throw new MqttSourceException($"MQTT broker {_broker} refused every subscription of source '{Name}' (check the ACL for this user).", isTransient: false);
        }

        return granted;
    }

    internal MqttClientOptions BuildClientOptions()
    {
        var o = _options;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(o.Host, o.Port, AddressFamily.Unspecified)
            .WithProtocolVersion(o.Protocol == MqttProtocol.V5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithClientId(o.ClientId)
            .WithTimeout(o.ConnectTimeout);
        builder = o.KeepAlive == TimeSpan.Zero ? builder.WithNoKeepAlive() : builder.WithKeepAlivePeriod(o.KeepAlive);
        if (o.Protocol == MqttProtocol.V5)
        {
            builder.WithCleanStart(o.CleanStart);
            if (o.SessionExpiry is { } expiry)
            {
                builder.WithSessionExpiryInterval((uint)expiry.TotalSeconds);
            }

            if (o.ReceiveMaximum is { } max)
            {
                builder.WithReceiveMaximum(max);
            }
        }
        else
        {
            builder.WithCleanSession(o.CleanStart);
        }

        if (o.SparkplugHostId is { } hostId)
        {
            var will = HostState(hostId, online: false);
            builder.WithWillTopic(will.Topic).WithWillPayload(will.Payload.ToArray()).WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain(true);
        }

        if (o.UserName is not null)
        {
            builder.WithCredentials(o.UserName, o.Password ?? string.Empty);
        }

        if (_tls is not null)
        {
            var tls = new MqttClientTlsOptionsBuilder()
                .UseTls()
                .WithTargetHost(o.Tls!.ServerName ?? o.Host)
                .WithCertificateValidationHandler(args => _tls.Validate(args.Certificate, args.SslPolicyErrors));
            if (_tls.LoadClientCertificates() is { } certificates)
            {
                tls.WithClientCertificates(certificates);
            }

            builder.WithTlsOptions(tls.Build());
        }

        var options = builder.Build();
        if (options.ChannelOptions is MqttClientTcpOptions tcp)
        {
            tcp.BufferSize = SocketBufferBytes;
        }

        return options;
    }

    private static async Task OnMessageAsync(IngestPipeline pipeline, MqttApplicationMessageReceivedEventArgs args, CancellationToken cancellationToken)
    {
        var message = args.ApplicationMessage;
        PendingAck? ack = null;
        if (message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
        {
            args.AutoAcknowledge = false;
            ack = new ClientAck(args);
        }

        await pipeline.AcceptAsync(message.Topic, message.Payload, ack, cancellationToken).ConfigureAwait(false);
    }

    private MqttSourceException DescribeConnectFailure(Exception ex)
    {
        if (ex is MQTTnet.Adapter.MqttConnectingFailedException && FindResultCode(ex.Message) is { } code)
        {
            return Refused(code, null, ex);
        }

        if (_tls?.LastFailure is { } tlsFailure)
        {
            return new MqttSourceException($"MQTT broker {_broker}: TLS handshake failed: {tlsFailure}.", isTransient: false, ex);
        }

        var inner = ex;
        while (inner.InnerException is not null && inner is not SocketException && inner is not System.Security.Authentication.AuthenticationException)
        {
            inner = inner.InnerException;
        }

        var what = inner switch
        {
            SocketException s => $"network error {s.SocketErrorCode} ({s.Message})",
            System.Security.Authentication.AuthenticationException a => $"TLS handshake failed: {a.Message} (the broker may require a client certificate)",
            _ => inner.Message,
        };
        return new MqttSourceException($"MQTT broker {_broker}: {what}", isTransient: true, ex);
    }

    private MqttSourceException Refused(string code, string? reasonString, Exception? inner = null)
    {
        var hint = code switch
        {
            nameof(MqttClientConnectResultCode.BadUserNameOrPassword) => "wrong user name or password",
            nameof(MqttClientConnectResultCode.NotAuthorized) => "not authorized (user, password or client certificate)",
            nameof(MqttClientConnectResultCode.ClientIdentifierNotValid) => "client id not accepted",
            _ => code,
        };
        var extra = string.IsNullOrEmpty(reasonString) ? string.Empty : $" ({reasonString})";
        return new MqttSourceException($"MQTT broker {_broker} refused source '{Name}': {hint}{extra}", isTransient: false, inner);
    }

    /// <summary>Sparkplug 3.0 host STATE message: retained JSON with the online flag and the connect time.</summary>
    private MqttApplicationMessage HostState(string hostId, bool online)
    {
        var timestamp = Telemetry.Core.UnixTime.Now(_options.TimeProvider) / 1_000_000;
        return new MqttApplicationMessageBuilder()
            .WithTopic($"spBv1.0/STATE/{hostId}")
            .WithPayload(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"online\":{(online ? "true" : "false")},\"timestamp\":{timestamp}}}"))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .Build();
    }

    private static string? FindResultCode(string message)
    {
        foreach (var name in Enum.GetNames<MqttClientConnectResultCode>())
        {
            if (name != nameof(MqttClientConnectResultCode.Success) && message.Contains(name, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }

    private static string DescribeDisconnect(MqttClientDisconnectedEventArgs args)
    {
        var text = args.ReasonString is { Length: > 0 } s ? $"{args.Reason}: {s}" : args.Reason.ToString();
        return args.Exception is null ? text : $"{text} ({args.Exception.GetBaseException().Message})";
    }

    private async Task CloseAsync(IMqttClient client, bool stopping)
    {
        if (ReferenceEquals(_client, client))
        {
            _client = null;
        }

        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Closing a broken connection: nothing left to tell.
        }
        finally
        {
            _ = stopping;
            client.Dispose();
        }
    }
}
