using System.Buffers;
using Google.Protobuf;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Sparkplug.Protocol;

namespace Telemetry.Edge.Mqtt.Sparkplug;

/// <summary>A host's request that an edge node publish its birth certificates again.</summary>
internal readonly record struct RebirthRequest(string Group, string EdgeNode, string Reason);

/// <summary>
/// The host side of Sparkplug B (spec chapter 5, "Operational Behavior"): NBIRTH/DBIRTH build each edge node's alias
/// and datatype table; NDATA/DDATA are resolved by alias (or name) into named samples with the metric's own
/// timestamp; NDEATH (with the bdSeq of the current birth, else stale and ignored) and DDEATH mark the metrics
/// Bad_NoCommunication; seq (0..255) is checked on every message but NDEATH. An unknown alias, data before a
/// birth, or a sequence gap queues a rebirth request (at most one per node per <see cref="RebirthInterval"/>).
/// Not thread-safe: the ingest pipeline calls it under its lock.
/// </summary>
internal sealed class SparkplugDecoder : IDisposable
{
    public const string RebirthMetric = "Node Control/Rebirth";
    private const int MaxNodes = 100_000;
    private readonly Dictionary<(string Group, string Node), SparkplugNode> _nodes = [];
    private readonly Dictionary<string, SparkplugTopic?> _topics = new(StringComparer.Ordinal);
    private readonly Queue<RebirthRequest> _rebirths = new();
    private readonly SampleBatch _scratch = new(256);
    private readonly TimeProvider _time;

    public SparkplugDecoder(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    public static TimeSpan RebirthInterval => TimeSpan.FromSeconds(2);

    public long SequenceGaps { get; private set; }

    public long StaleDeaths { get; private set; }

    public int PendingRebirths => _rebirths.Count;

    public bool TryTakeRebirth(out RebirthRequest request) => _rebirths.TryDequeue(out request);

    public bool IsOnline(string group, string edgeNode, string? device = null) =>
        _nodes.TryGetValue((group, edgeNode), out var node) && node.Online && (device is null || node.OnlineDevices.Contains(device));

    /// <summary>Decodes one Sparkplug message into <paramref name="batch"/> (all or none).</summary>
    public MqttRejectReason Decode(string site, string? area, string? line, string topic, in ReadOnlySequence<byte> payload, long receiveTimeNs, SampleBatch batch)
    {
        if (!TryParseTopic(topic, out var t))
        {
            return MqttRejectReason.SparkplugBadTopic;
        }

        if (t.Type is SparkplugMessageType.State or SparkplugMessageType.NCmd or SparkplugMessageType.DCmd)
        {
            return MqttRejectReason.None; // host and command traffic: nothing to store
        }

        Payload message;
        try
        {
            message = Payload.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            return MqttRejectReason.SparkplugMalformed;
        }

        _scratch.Clear();
        var context = new Context(site, area ?? t.Group, line ?? t.EdgeNode, receiveTimeNs, message.HasTimestamp ? ToNs(message.Timestamp) : receiveTimeNs);
        var reason = t.Type switch
        {
            SparkplugMessageType.NBirth => NodeBirth(t, message, context),
            SparkplugMessageType.NDeath => NodeDeath(t, message, context),
            SparkplugMessageType.DBirth => DeviceBirth(t, message, context),
            SparkplugMessageType.DDeath => DeviceDeath(t, message, context),
            _ => Data(t, message, context),
        };
        if (reason == MqttRejectReason.None)
        {
            batch.AddRange(_scratch.Samples);
        }

        _scratch.Clear();
        return reason;
    }

    public void Dispose() => _scratch.Dispose();

    private MqttRejectReason NodeBirth(SparkplugTopic t, Payload message, in Context context)
    {
        if (_nodes.Count >= MaxNodes && !_nodes.ContainsKey((t.Group, t.EdgeNode)))
        {
            _nodes.Clear();
        }

        if (!_nodes.TryGetValue((t.Group, t.EdgeNode), out var node))
        {
            node = new SparkplugNode(t.Group, t.EdgeNode);
            _nodes[(t.Group, t.EdgeNode)] = node;
        }

        if (!message.HasSeq || message.Seq > 255)
        {
            return MqttRejectReason.SparkplugMalformed;
        }

        node.Reset();
        ulong? bdSeq = null;
        foreach (var metric in message.Metrics)
        {
            if (metric.Name == "bdSeq")
            {
                bdSeq = metric.HasLongValue ? metric.LongValue : metric.HasIntValue ? metric.IntValue : null;
            }
        }

        if (bdSeq is null)
        {
            return MqttRejectReason.SparkplugMalformed;
        }

        var reason = Register(node, null, message, context);
        if (reason != MqttRejectReason.None)
        {
            node.Reset();
            return reason;
        }

        node.BirthDeathSeq = bdSeq.Value;
        node.LastRebirthRequestTimestamp = long.MinValue; // it answered: the next problem may ask again at once
        node.LastSeq = (int)message.Seq;
        node.Online = true;
        return MqttRejectReason.None;
    }

    private MqttRejectReason DeviceBirth(SparkplugTopic t, Payload message, in Context context)
    {
        if (!TryGetOnlineNode(t, "device birth before the node's birth", out var node))
        {
            return MqttRejectReason.SparkplugNoBirth;
        }

        CheckSequence(node, message);
        var device = t.Device!;
        foreach (var (key, metric) in node.ByName.Where(kv => kv.Key.Device == device).ToList())
        {
            node.ByName.Remove(key);
            foreach (var alias in node.ByAlias.Where(kv => ReferenceEquals(kv.Value, metric)).Select(kv => kv.Key).ToList())
            {
                node.ByAlias.Remove(alias);
            }
        }

        var reason = Register(node, device, message, context);
        if (reason == MqttRejectReason.None)
        {
            node.OnlineDevices.Add(device);
        }

        return reason;
    }

    private MqttRejectReason Register(SparkplugNode node, string? device, Payload message, in Context context)
    {
        foreach (var metric in message.Metrics)
        {
            if (!metric.HasName || metric.Name.Length == 0 || !metric.HasDatatype)
            {
                return MqttRejectReason.SparkplugMalformed;
            }

            var path = new AssetPath(context.Site, context.Area, context.Line, device ?? node.EdgeNode, TagName(metric.Name));
            var known = new SparkplugMetric(device, metric.Name, metric.Datatype, path);
            node.ByName[(device ?? string.Empty, metric.Name)] = known;
            if (metric.HasAlias)
            {
                node.ByAlias[metric.Alias] = known;
            }

            AddSample(known, metric, context);
        }

        return MqttRejectReason.None;
    }

    private MqttRejectReason Data(SparkplugTopic t, Payload message, in Context context)
    {
        if (!TryGetOnlineNode(t, "data before a birth", out var node))
        {
            return MqttRejectReason.SparkplugNoBirth;
        }

        CheckSequence(node, message);
        var device = t.Device ?? string.Empty;
        foreach (var metric in message.Metrics)
        {
            SparkplugMetric? known;
            if (metric.HasAlias)
            {
                node.ByAlias.TryGetValue(metric.Alias, out known);
            }
            else
            {
                node.ByName.TryGetValue((device, metric.Name), out known);
            }

            if (known is null)
            {
                RequestRebirth(node, metric.HasAlias ? $"unknown alias {metric.Alias}" : $"unknown metric '{metric.Name}'");
                return MqttRejectReason.SparkplugUnknownAlias;
            }

            AddSample(known, metric, context);
        }

        return MqttRejectReason.None;
    }

    private MqttRejectReason NodeDeath(SparkplugTopic t, Payload message, in Context context)
    {
        ulong? bdSeq = null;
        foreach (var metric in message.Metrics)
        {
            if (metric.Name == "bdSeq")
            {
                bdSeq = metric.HasLongValue ? metric.LongValue : metric.HasIntValue ? metric.IntValue : null;
            }
        }

        if (!_nodes.TryGetValue((t.Group, t.EdgeNode), out var node) || !node.Online || bdSeq != node.BirthDeathSeq)
        {
            // A death of an earlier session (the node was reborn since) or of a node we never saw: ignore it.
            StaleDeaths++;
            return MqttRejectReason.None;
        }

        foreach (var metric in node.ByName.Values)
        {
            AddOffline(metric, context);
        }

        node.Online = false;
        node.OnlineDevices.Clear();
        return MqttRejectReason.None;
    }

    private MqttRejectReason DeviceDeath(SparkplugTopic t, Payload message, in Context context)
    {
        if (!TryGetOnlineNode(t, "device death before a birth", out var node))
        {
            return MqttRejectReason.SparkplugNoBirth;
        }

        CheckSequence(node, message);
        var device = t.Device!;
        if (node.OnlineDevices.Remove(device))
        {
            foreach (var metric in node.ByName.Values)
            {
                if (metric.Device == device)
                {
                    AddOffline(metric, context);
                }
            }
        }

        return MqttRejectReason.None;
    }

    private bool TryGetOnlineNode(SparkplugTopic t, string why, out SparkplugNode node)
    {
        if (_nodes.TryGetValue((t.Group, t.EdgeNode), out node!) && node.Online)
        {
            return true;
        }

        node ??= _nodes[(t.Group, t.EdgeNode)] = new SparkplugNode(t.Group, t.EdgeNode);
        RequestRebirth(node, why);
        return false;
    }

    private void CheckSequence(SparkplugNode node, Payload message)
    {
        var seq = message.HasSeq ? (int)(message.Seq & 0xff) : -1;
        var expected = (node.LastSeq + 1) & 0xff;
        if (seq != expected)
        {
            SequenceGaps++;
            RequestRebirth(node, $"sequence gap: expected {expected}, got {seq}");
        }

        if (seq >= 0)
        {
            node.LastSeq = seq;
        }
    }

    private void RequestRebirth(SparkplugNode node, string reason)
    {
        var now = _time.GetTimestamp();
        if (node.LastRebirthRequestTimestamp != long.MinValue && _time.GetElapsedTime(node.LastRebirthRequestTimestamp, now) < RebirthInterval)
        {
            return;
        }

        node.LastRebirthRequestTimestamp = now;
        _rebirths.Enqueue(new RebirthRequest(node.Group, node.EdgeNode, reason));
    }

    private void AddSample(SparkplugMetric known, Payload.Types.Metric metric, in Context context)
    {
        if (known.Name == "bdSeq" || known.Name.StartsWith("Node Control/", StringComparison.Ordinal))
        {
            return;
        }

        var time = metric.HasTimestamp ? ToNs(metric.Timestamp) : context.MessageTimeNs;
        var dataType = metric.HasDatatype ? metric.Datatype : known.DataType;
        if (metric.HasIsNull && metric.IsNull)
        {
            _scratch.Add(new Sample(known.Path, time, SampleValue.Null, Quality.Good, context.ReceiveTimeNs));
            return;
        }

        if (TryConvert(metric, dataType, out var value))
        {
            _scratch.Add(new Sample(known.Path, time, value, Quality.Good, context.ReceiveTimeNs));
        }
    }

    private void AddOffline(SparkplugMetric metric, in Context context)
    {
        if (metric.Name == "bdSeq" || metric.Name.StartsWith("Node Control/", StringComparison.Ordinal))
        {
            return;
        }

        _scratch.Add(new Sample(metric.Path, context.MessageTimeNs, SampleValue.Null, Quality.BadNoCommunication, context.ReceiveTimeNs));
    }

    /// <summary>Spec 6.4.16: integers up to 32 bits travel in int_value, 64 bits in long_value, as two's complement.</summary>
    internal static bool TryConvert(Payload.Types.Metric metric, uint dataType, out SampleValue value)
    {
        value = default;
        switch ((DataType)dataType)
        {
            case DataType.Int8 when metric.HasIntValue:
                value = SampleValue.FromInt64((sbyte)metric.IntValue);
                return true;
            case DataType.Int16 when metric.HasIntValue:
                value = SampleValue.FromInt64((short)metric.IntValue);
                return true;
            case DataType.Int32 when metric.HasIntValue:
                value = SampleValue.FromInt64((int)metric.IntValue);
                return true;
            case DataType.Uint8 or DataType.Uint16 or DataType.Uint32 when metric.HasIntValue:
                value = SampleValue.FromInt64(metric.IntValue);
                return true;
            case DataType.Uint32 when metric.HasLongValue:
                value = SampleValue.FromInt64((long)metric.LongValue);
                return true;
            case DataType.Int64 or DataType.DateTime when metric.HasLongValue:
                value = SampleValue.FromInt64((long)metric.LongValue);
                return true;
            case DataType.Uint64 when metric.HasLongValue:
                value = metric.LongValue <= long.MaxValue ? SampleValue.FromInt64((long)metric.LongValue) : SampleValue.FromDouble(metric.LongValue);
                return true;
            case DataType.Float when metric.HasFloatValue:
                value = SampleValue.FromDouble(metric.FloatValue);
                return true;
            case DataType.Double when metric.HasDoubleValue:
                value = SampleValue.FromDouble(metric.DoubleValue);
                return true;
            case DataType.Boolean when metric.HasBooleanValue:
                value = SampleValue.FromBoolean(metric.BooleanValue);
                return true;
            case DataType.String or DataType.Text or DataType.Uuid when metric.HasStringValue:
                value = SampleValue.FromString(metric.StringValue);
                return true;
            default:
                return false; // datasets, templates, bytes, files, arrays: not samples
        }
    }

    private bool TryParseTopic(string topic, out SparkplugTopic parsed)
    {
        if (!_topics.TryGetValue(topic, out var cached))
        {
            if (_topics.Count >= MaxNodes)
            {
                _topics.Clear();
            }

            cached = SparkplugTopic.TryParse(topic, out var p) ? p : null;
            _topics[topic] = cached;
        }

        parsed = cached.GetValueOrDefault();
        return cached.HasValue;
    }

    private static string TagName(string metricName) => metricName.Replace('/', '.');

    private static long ToNs(ulong milliseconds) => milliseconds > (ulong)(long.MaxValue / 1_000_000) ? 0 : (long)milliseconds * 1_000_000;

    private readonly record struct Context(string Site, string Area, string Line, long ReceiveTimeNs, long MessageTimeNs);
}
