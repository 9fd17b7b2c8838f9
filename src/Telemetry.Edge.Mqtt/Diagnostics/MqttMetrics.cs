using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Telemetry.Edge.Mqtt.Diagnostics;

/// <summary>
/// Counters of one source or broker: kept as fields for <see cref="Snapshot"/> and exported through the shared
/// `Telemetry.Edge.Mqtt` meter with a `source` tag. Rejections are counted per reason and per topic (up to
/// <see cref="MaxTopics"/> topics) and logged at most once per <see cref="LogInterval"/>.
/// </summary>
internal sealed class MqttMetrics
{
    public const string MeterName = "Telemetry.Edge.Mqtt";
    private const int MaxTopics = 1000;
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> ReceivedCounter = Meter.CreateCounter<long>("telemetry.mqtt.messages.received", "{message}");
    private static readonly Counter<long> MappedCounter = Meter.CreateCounter<long>("telemetry.mqtt.samples.mapped", "{sample}");
    private static readonly Counter<long> RejectedCounter = Meter.CreateCounter<long>("telemetry.mqtt.messages.rejected", "{message}");
    private static readonly Counter<long> ReconnectCounter = Meter.CreateCounter<long>("telemetry.mqtt.reconnects", "{reconnect}");
    private static readonly UpDownCounter<long> InFlightCounter = Meter.CreateUpDownCounter<long>("telemetry.mqtt.messages.inflight", "{message}");
    private readonly string _source;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly long[] _byReason = new long[Enum.GetValues<MqttRejectReason>().Length];
    private readonly Dictionary<string, long> _byTopic = new(StringComparer.Ordinal);
    private long _received;
    private long _mapped;
    private long _rejected;
    private long _reconnects;
    private long _inFlight;
    private long _acknowledged;
    private long _rebirths;
    private long _lastLogTimestamp = long.MinValue;
    private long _suppressed;
    private long _lastSampleNs;

    public MqttMetrics(string source, ILogger logger, TimeProvider time)
    {
        _source = source;
        _logger = logger;
        _time = time;
        _tag = new KeyValuePair<string, object?>("source", source);
    }

    public void Received(int samples, long receiveTimeNs)
    {
        Interlocked.Increment(ref _received);
        ReceivedCounter.Add(1, _tag);
        if (samples > 0)
        {
            Interlocked.Add(ref _mapped, samples);
            Volatile.Write(ref _lastSampleNs, receiveTimeNs);
            MappedCounter.Add(samples, _tag);
        }
    }

    public void Rejected(string topic, MqttRejectReason reason)
    {
        Interlocked.Increment(ref _received);
        ReceivedCounter.Add(1, _tag);
        Interlocked.Increment(ref _rejected);
        Interlocked.Increment(ref _byReason[(int)reason]);
        RejectedCounter.Add(1, _tag, new KeyValuePair<string, object?>("reason", reason.ToString()));
        lock (_byTopic)
        {
            if (_byTopic.TryGetValue(topic, out var n))
            {
                _byTopic[topic] = n + 1;
            }
            else if (_byTopic.Count < MaxTopics)
            {
                _byTopic[topic] = 1;
            }

            var now = _time.GetTimestamp();
            if (_lastLogTimestamp != long.MinValue && _time.GetElapsedTime(_lastLogTimestamp, now) < LogInterval)
            {
                _suppressed++;
                return;
            }

            _lastLogTimestamp = now;
            var suppressed = _suppressed;
            _suppressed = 0;
            Log.Rejected(_logger, _source, topic, reason, suppressed);
        }
    }

    public void Reconnected()
    {
        Interlocked.Increment(ref _reconnects);
        ReconnectCounter.Add(1, _tag);
    }

    public void InFlight(int delta)
    {
        Interlocked.Add(ref _inFlight, delta);
        InFlightCounter.Add(delta, _tag);
    }

    public void Acknowledged(int count) => Interlocked.Add(ref _acknowledged, count);

    public void RebirthRequested() => Interlocked.Increment(ref _rebirths);

    public long SamplesMapped => Interlocked.Read(ref _mapped);

    public long LastSampleUnixNs => Volatile.Read(ref _lastSampleNs);

    public MqttStatistics Snapshot()
    {
        var byReason = new Dictionary<MqttRejectReason, long>();
        for (var i = 1; i < _byReason.Length; i++)
        {
            var n = Interlocked.Read(ref _byReason[i]);
            if (n > 0)
            {
                byReason[(MqttRejectReason)i] = n;
            }
        }

        Dictionary<string, long> byTopic;
        lock (_byTopic)
        {
            byTopic = new Dictionary<string, long>(_byTopic, StringComparer.Ordinal);
        }

        return new MqttStatistics(
            Interlocked.Read(ref _received),
            Interlocked.Read(ref _mapped),
            Interlocked.Read(ref _rejected),
            byReason,
            byTopic,
            Interlocked.Read(ref _reconnects),
            Interlocked.Read(ref _inFlight),
            Interlocked.Read(ref _acknowledged),
            Interlocked.Read(ref _rebirths));
    }
}
