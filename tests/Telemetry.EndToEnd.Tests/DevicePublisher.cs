using System.Collections.Concurrent;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;

namespace Telemetry.EndToEnd.Tests;

/// <summary>
/// A shop-floor device as the edge's MQTT broker sees it: publishes numbered samples (QoS 1) at a steady rate with a
/// window of unacknowledged messages, and like any QoS 1 client sends again what was not acknowledged when the
/// connection broke. An id counts as accepted by the edge once its PUBACK came (the edge's broker sends it only when
/// the sample is durable in the spool).
/// </summary>
public sealed class DevicePublisher(string host, int port, Func<long, string> topic, Func<long, byte[]> payload) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, byte> _acknowledged = new();
    private readonly ConcurrentQueue<long> _unacknowledged = new();
    private readonly SemaphoreSlim _connect = new(1, 1);
    private IMqttClient? _client;
    private long _next;
    private long _resent;
    private long _failedPublishes;
    private string? _lastFailure;

    /// <summary>Ids whose PUBACK came.</summary>
    public ICollection<long> Acknowledged => _acknowledged.Keys;

    /// <summary>Ids handed out so far: [0, Next).</summary>
    public long Next => Interlocked.Read(ref _next);

    /// <summary>Publishes of an id sent before (its first try was not acknowledged).</summary>
    public long Resent => Interlocked.Read(ref _resent);

    public long FailedPublishes => Interlocked.Read(ref _failedPublishes);

    /// <summary>Why the last failed publish failed (the PUBACK's reason code or the exception), for a test's message.</summary>
    public string? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Publishes at about <paramref name="perSecond"/> until <paramref name="stop"/>, then sends again what is unacknowledged until all is.</summary>
    public async Task RunAsync(int perSecond, int window, CancellationToken stop, CancellationToken abort)
    {
        using var slots = new SemaphoreSlim(window, window);
        var inFlight = new ConcurrentDictionary<Task, byte>();
        var clock = Stopwatch.StartNew();
        long sentSinceConnect = 0;
        var connectedAt = TimeSpan.Zero;
        while (!stop.IsCancellationRequested || !_unacknowledged.IsEmpty || !inFlight.IsEmpty)
        {
            abort.ThrowIfCancellationRequested();
            var (client, fresh) = await ConnectedAsync(abort);
            if (fresh)
            {
                sentSinceConnect = 0;
                connectedAt = clock.Elapsed;
            }

            long id;
            var again = _unacknowledged.TryDequeue(out id);
            if (!again)
            {
                if (stop.IsCancellationRequested)
                {
                    await Task.Delay(20, abort); // wait for the window to settle; failures come back to the queue
                    continue;
                }

                id = Interlocked.Increment(ref _next) - 1;
            }
            else
            {
                Interlocked.Increment(ref _resent);
            }

            await slots.WaitAsync(abort);
            var publish = PublishAsync(client, id, slots, abort);
            inFlight.TryAdd(publish, 0);
            _ = publish.ContinueWith(t => inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            // steady load: no burst to catch up after a reconnect
            var due = connectedAt + TimeSpan.FromSeconds((double)++sentSinceConnect / perSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, abort);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            _client.Dispose();
        }

        _connect.Dispose();
        await Task.CompletedTask;
    }

    private async Task PublishAsync(IMqttClient client, long id, SemaphoreSlim slots, CancellationToken abort)
    {
        try
        {
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic(id))
                .WithPayload(payload(id))
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var result = await client.PublishAsync(message, abort);
            if (result.IsSuccess)
            {
                _acknowledged.TryAdd(id, 0);
                return;
            }

            Interlocked.Increment(ref _failedPublishes);
            Volatile.Write(ref _lastFailure, $"id {id}: PUBACK {result.ReasonCode} {result.ReasonString}");
            _unacknowledged.Enqueue(id);
        }
        catch (Exception ex) when (!abort.IsCancellationRequested)
        {
            Volatile.Write(ref _lastFailure, $"id {id}: {ex.GetType().Name}: {ex.Message}");
            // the edge went away before its PUBACK: sent again after the reconnect (it may be in the spool already)
            Interlocked.Increment(ref _failedPublishes);
            _unacknowledged.Enqueue(id);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>The connected client; connects (again) until the edge's broker answers. fresh: a new connection.</summary>
    private async Task<(IMqttClient Client, bool Fresh)> ConnectedAsync(CancellationToken abort)
    {
        if (_client is { IsConnected: true } current)
        {
            return (current, false);
        }

        await _connect.WaitAsync(abort);
        try
        {
            while (true)
            {
                if (_client is { IsConnected: true } connected)
                {
                    return (connected, false);
                }

                _client?.Dispose();
                _client = new MqttClientFactory().CreateMqttClient();
                var options = new MqttClientOptionsBuilder()
                    .WithTcpServer(host, port)
                    .WithClientId("device-kill9")
                    .WithProtocolVersion(MqttProtocolVersion.V500)
                    .WithCleanStart(true)
                    .WithTimeout(TimeSpan.FromSeconds(5))
                    .Build();
                try
                {
                    await _client.ConnectAsync(options, abort);
                    return (_client, true);
                }
                catch (Exception) when (!abort.IsCancellationRequested)
                {
                    await Task.Delay(100, abort); // the edge is restarting
                }
            }
        }
        finally
        {
            _connect.Release();
        }
    }
}
