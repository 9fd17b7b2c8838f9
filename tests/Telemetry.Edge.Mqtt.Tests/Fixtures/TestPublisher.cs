using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Telemetry.Edge.Mqtt.Tests.Fixtures;

/// <summary>
/// An independent MQTTnet publisher with a window of outstanding QoS 1/2 publishes. A publish that fails (broker
/// gone) is retried after a reconnect, so every id it reports as acknowledged was PUBACKed by the broker.
/// </summary>
internal sealed class TestPublisher : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly string _clientId;
    private readonly string? _user;
    private readonly string? _password;
    private readonly SemaphoreSlim _reconnect = new(1, 1);
    private IMqttClient _client;

    private TestPublisher(string host, int port, string clientId, string? user, string? password)
    {
        _host = host;
        _port = port;
        _clientId = clientId;
        _user = user;
        _password = password;
        _client = new MqttClientFactory().CreateMqttClient();
    }

    public long Acknowledged;

    public static async Task<TestPublisher> ConnectAsync(string host, int port, string clientId, string? user = null, string? password = null)
    {
        var publisher = new TestPublisher(host, port, clientId, user, password);
        await publisher.EnsureConnectedAsync(CancellationToken.None);
        return publisher;
    }

    /// <summary>Publishes ids [from, from+count) as plain payloads on topic(id); returns when all are acknowledged.</summary>
    public async Task PublishRangeAsync(Func<long, string> topic, long from, long count, MqttQualityOfServiceLevel qos, int window = 100, Func<long, string>? payload = null, CancellationToken cancellationToken = default)
    {
        using var slots = new SemaphoreSlim(window, window);
        var tasks = new List<Task>();
        for (var id = from; id < from + count; id++)
        {
            await slots.WaitAsync(cancellationToken);
            var current = id;
            tasks.Add(PublishOneAsync(topic(current), payload?.Invoke(current) ?? current.ToString(CultureInfo.InvariantCulture), qos, cancellationToken)
                .ContinueWith(t => { slots.Release(); return t; }, TaskScheduler.Default).Unwrap());
            if (tasks.Count > 10_000)
            {
                await Task.WhenAll(tasks);
                tasks.Clear();
            }
        }

        await Task.WhenAll(tasks);
    }

    public async Task PublishOneAsync(string topic, string payload, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken = default)
        => await PublishBytesAsync(topic, Encoding.UTF8.GetBytes(payload), qos, cancellationToken);

    public async Task PublishBytesAsync(string topic, byte[] payload, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken = default)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();
        for (var attempt = 0; ; attempt++)
        {
            var client = _client;
            try
            {
                var result = await client.PublishAsync(message, cancellationToken);
                if (result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    Interlocked.Increment(ref Acknowledged);
                    return;
                }

                throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
            }
            catch (Exception) when (attempt < 600 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(100, cancellationToken);
                await EnsureConnectedAsync(cancellationToken);
            }
        }
    }

    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        await _reconnect.WaitAsync(cancellationToken);
        try
        {
            if (_client.IsConnected)
            {
                return;
            }

            _client.Dispose();
            _client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer(_host, _port).WithClientId(_clientId)
                .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(true).WithTimeout(TimeSpan.FromSeconds(5));
            if (_user is not null)
            {
                options.WithCredentials(_user, _password);
            }

            try
            {
                await _client.ConnectAsync(options.Build(), cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The caller retries.
            }
        }
        finally
        {
            _reconnect.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync();
            }
        }
        catch (Exception)
        {
        }

        _client.Dispose();
        _reconnect.Dispose();
    }
}
