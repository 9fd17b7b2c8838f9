using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Telemetry.Harness.Rig;

/// <summary>How a load publisher encodes its machines' ticks.</summary>
public enum MqttLoadFormat
{
    /// <summary>Topic harness/{machine}, <c>{"ts": gridMs, "data": {"t000": tick, …}}</c>.</summary>
    Json,

    /// <summary>One Sparkplug B edge node; each machine a device (DBIRTH by name, DDATA by alias, Int64 metrics).</summary>
    SparkplugB,
}

/// <summary>
/// A device fleet on the broker: every tick of the grid, one QoS 1 message per machine carrying every tag's value =
/// tick at the tick's grid time, so each sample is (machine, tag, tick). What the broker has not acknowledged
/// (PUBACK) is kept and sent again after a reconnect, in order: the offered set is every tick of every machine from
/// the start on, nothing skipped, whatever the broker does. Sparkplug: a new NBIRTH (bdSeq + 1) and DBIRTHs on
/// every connection and on an NCMD Rebirth; a DBIRTH carries the device's oldest unsent tick.
/// </summary>
public sealed class MqttLoadPublisher : IAsyncDisposable
{
    public const string Group = "harness";
    public const string EdgeNode = "node-1";
    private const int Window = 64;

    private readonly MqttLoadFormat _format;
    private readonly string _host;
    private readonly int _port;
    private readonly IReadOnlyList<string> _machines;
    private readonly IReadOnlyList<string> _tags;
    private readonly TickGrid _grid;
    private readonly Lock _lock = new();
    private readonly LinkedList<(int Machine, long Tick)> _queue = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private readonly Task _sender;
    private long _nextTick;
    private long _acknowledged;
    private long _resent;
    private long _connections;
    private long _inFlightOldest = long.MaxValue;
    private int _maxQueued;
    private ulong _bdSeq;
    private int _seq;
    private volatile bool _rebirth;

    public MqttLoadPublisher(MqttLoadFormat format, string host, int port, IReadOnlyList<string> machines, IReadOnlyList<string> tags, TickGrid grid)
    {
        _format = format;
        _host = host;
        _port = port;
        _machines = machines;
        _tags = tags;
        _grid = grid;
        _nextTick = grid.TickAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) + 1;
        _producer = Task.Run(() => ProduceAsync(_stop.Token));
        _sender = Task.Run(() => SendAsync(_stop.Token));
    }

    public MqttLoadFormat Format => _format;

    public string ClientId => _format == MqttLoadFormat.Json ? "harness-json" : "harness-sparkplug";

    /// <summary>Messages the broker acknowledged (each carries one tick of every tag of one machine).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Messages sent again because the first try got no PUBACK (the broker went away).</summary>
    public long Resent => Interlocked.Read(ref _resent);

    /// <summary>Successful connections (1 + reconnects).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>The most messages waiting at once (the backlog an outage built up).</summary>
    public int MaxQueued => Volatile.Read(ref _maxQueued);

    public string? LastError { get; private set; }

    /// <summary>The oldest tick not yet acknowledged by the broker (long.MaxValue when nothing waits).</summary>
    public long OldestPendingTick
    {
        get
        {
            lock (_lock)
            {
                var queued = _queue.First is { } first ? first.Value.Tick : long.MaxValue;
                return Math.Min(queued, Interlocked.Read(ref _inFlightOldest));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var task in new[] { _producer, _sender })
        {
            try
            {
                await task;
            }
            catch (Exception ex)
            {
                // Stopping: a publish cut short by the stop (cancelled or timed out) changes nothing measured.
                LastError ??= $"at stop: {ex.GetType().Name}: {ex.Message}";
            }
        }

        _stop.Dispose();
    }

    /// <summary>Every tick of the grid from the start on, for every machine, whether or not the broker is there.</summary>
    private async Task ProduceAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var last = _grid.TickAt(now);
            lock (_lock)
            {
                for (; _nextTick <= last; _nextTick++)
                {
                    for (var m = 0; m < _machines.Count; m++)
                    {
                        _queue.AddLast((m, _nextTick));
                    }
                }

                _maxQueued = Math.Max(_maxQueued, _queue.Count);
            }

            var wait = _grid.TickTimeMs(last + 1) - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, wait)), cancellationToken);
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            try
            {
                await ConnectAsync(client, cancellationToken);
                Interlocked.Increment(ref _connections);
                if (_format == MqttLoadFormat.SparkplugB)
                {
                    await BirthAsync(client, cancellationToken);
                }

                while (client.IsConnected)
                {
                    if (_rebirth)
                    {
                        _rebirth = false;
                        await BirthAsync(client, cancellationToken);
                    }

                    if (!await SendBatchAsync(client, cancellationToken))
                    {
                        await Task.Delay(10, cancellationToken);
                    }
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LastError = $"{DateTime.UtcNow:HH:mm:ss.f} {ex.GetType().Name}: {ex.Message}";
                await Task.Delay(200, cancellationToken); // the broker is down or restarting
            }
        }
    }

    private async Task ConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(_host, _port)
            .WithClientId(ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(10));
        if (_format == MqttLoadFormat.SparkplugB)
        {
            _bdSeq++;
            options.WithWillTopic($"spBv1.0/{Group}/NDEATH/{EdgeNode}")
                .WithWillPayload(SparkplugPayloadWriter.NodeDeath(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _bdSeq))
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            client.ApplicationMessageReceivedAsync += args =>
            {
                // NCMD: the host asks for a rebirth (the only command it sends).
                _rebirth = true;
                return Task.CompletedTask;
            };
        }

        await client.ConnectAsync(options.Build(), cancellationToken);
        if (_format == MqttLoadFormat.SparkplugB)
        {
            await client.SubscribeAsync($"spBv1.0/{Group}/NCMD/{EdgeNode}", MqttQualityOfServiceLevel.AtMostOnce, cancellationToken);
        }
    }

    /// <summary>Up to <see cref="Window"/> messages in flight at once; what got no PUBACK goes back to the head, in order. False when nothing waited.</summary>
    private async Task<bool> SendBatchAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var batch = new List<(int Machine, long Tick)>(Window);
        lock (_lock)
        {
            while (batch.Count < Window && _queue.First is { } first)
            {
                batch.Add(first.Value);
                _queue.RemoveFirst();
            }

            if (batch.Count > 0)
            {
                Interlocked.Exchange(ref _inFlightOldest, batch[0].Tick);
            }
        }

        if (batch.Count == 0)
        {
            return false;
        }

        var sends = new Task<MqttClientPublishResult>[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            sends[i] = client.PublishAsync(Message(batch[i]), cancellationToken);
        }

        var failed = new List<(int Machine, long Tick)>();
        for (var i = 0; i < sends.Length; i++)
        {
            bool ok;
            try
            {
                ok = (await sends[i]).IsSuccess;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LastError = $"{DateTime.UtcNow:HH:mm:ss.f} {ex.GetType().Name}: {ex.Message}";
                ok = false;
            }

            if (ok)
            {
                Interlocked.Increment(ref _acknowledged);
            }
            else
            {
                failed.Add(batch[i]);
            }
        }

        if (failed.Count == 0)
        {
            Interlocked.Exchange(ref _inFlightOldest, long.MaxValue);
            return true;
        }

        Requeue(failed);
        throw new InvalidOperationException($"{failed.Count} of {batch.Count} publishes got no PUBACK; reconnecting");
    }

    /// <summary>NBIRTH, then one DBIRTH per device carrying that device's oldest unsent tick (taken from the queue).</summary>
    private async Task BirthAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _seq = 0;
        await PublishOrThrowAsync(client, $"spBv1.0/{Group}/NBIRTH/{EdgeNode}", SparkplugPayloadWriter.NodeBirth(now, _bdSeq), cancellationToken);
        for (var m = 0; m < _machines.Count; m++)
        {
            var item = await TakeFirstOfAsync(m, cancellationToken);
            try
            {
                var payload = SparkplugPayloadWriter.DeviceBirth(_grid.TickTimeMs(item.Tick), NextSeq(), _tags, t => Alias(m, t), item.Tick);
                await PublishOrThrowAsync(client, $"spBv1.0/{Group}/DBIRTH/{EdgeNode}/{_machines[m]}", payload, cancellationToken);
                Interlocked.Increment(ref _acknowledged);
            }
            catch
            {
                Requeue([item]);
                throw;
            }
            finally
            {
                Interlocked.Exchange(ref _inFlightOldest, long.MaxValue);
            }
        }
    }

    private async Task<(int Machine, long Tick)> TakeFirstOfAsync(int machine, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                for (var node = _queue.First; node is not null; node = node.Next)
                {
                    if (node.Value.Machine == machine)
                    {
                        _queue.Remove(node);
                        Interlocked.Exchange(ref _inFlightOldest, node.Value.Tick);
                        return node.Value;
                    }
                }
            }

            await Task.Delay(10, cancellationToken); // the producer adds the next tick within one grid step
        }
    }

    private static async Task PublishOrThrowAsync(IMqttClient client, string topic, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var result = await client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"{topic}: {result.ReasonCode}");
        }
    }

    private void Requeue(List<(int Machine, long Tick)> items)
    {
        lock (_lock)
        {
            for (var i = items.Count - 1; i >= 0; i--)
            {
                _queue.AddFirst(items[i]);
            }

            Interlocked.Exchange(ref _inFlightOldest, long.MaxValue);
        }

        Interlocked.Add(ref _resent, items.Count);
    }

    private MqttApplicationMessage Message((int Machine, long Tick) item)
    {
        var timeMs = _grid.TickTimeMs(item.Tick);
        var builder = new MqttApplicationMessageBuilder().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_format == MqttLoadFormat.SparkplugB)
        {
            return builder.WithTopic($"spBv1.0/{Group}/DDATA/{EdgeNode}/{_machines[item.Machine]}")
                .WithPayload(SparkplugPayloadWriter.DeviceData(timeMs, NextSeq(), _tags.Count, t => Alias(item.Machine, t), item.Tick))
                .Build();
        }

        var json = new StringBuilder(32 + (_tags.Count * 20));
        json.Append(CultureInfo.InvariantCulture, $"{{\"ts\":{timeMs},\"data\":{{");
        for (var t = 0; t < _tags.Count; t++)
        {
            json.Append(CultureInfo.InvariantCulture, $"{(t == 0 ? "" : ",")}\"{_tags[t]}\":{item.Tick}");
        }

        json.Append("}}");
        return builder.WithTopic($"harness/{_machines[item.Machine]}").WithPayload(json.ToString()).Build();
    }

    private int NextSeq()
    {
        var seq = _seq;
        _seq = (_seq + 1) & 0xff;
        return seq;
    }

    private static ulong Alias(int machine, int tag) => ((ulong)machine * 1000) + (ulong)tag + 1;
}
