using System.Buffers;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Sparkplug;

namespace Telemetry.Edge.Mqtt.Mapping;

/// <summary>
/// Turns one message (topic + payload) into samples by the first matching rule. Asset paths are cached per topic
/// and tag, so a steady stream allocates no names. Not thread-safe: the ingest pipeline calls it under its lock.
/// </summary>
internal sealed class MessageMapper : IDisposable
{
    private const int MaxCachedTopics = 100_000;
    private readonly CompiledRule[] _rules;
    private readonly Dictionary<string, TopicBinding?> _bindings = new(StringComparer.Ordinal);
    private readonly SampleBatch _scratch = new(64);
    private readonly JsonPayloadDecoder.ValueSink _jsonSink;
    private TopicBinding? _current;
    private long _currentReceiveNs;

    public MessageMapper(IReadOnlyList<MqttMappingRule> rules, SparkplugDecoder? sparkplug = null)
    {
        _rules = new CompiledRule[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            _rules[i] = new CompiledRule(
                rule,
                new TopicTemplate(rule.Topic),
                rule.Format == MqttPayloadFormat.Json ? new JsonPayloadDecoder(rule.Json ?? new MqttJsonMapping()) : null);
        }

        Sparkplug = sparkplug ?? (rules.Any(r => r.Format == MqttPayloadFormat.SparkplugB) ? new SparkplugDecoder() : null);
        _jsonSink = AddJsonValue;
    }

    public SparkplugDecoder? Sparkplug { get; }

    /// <summary>Adds the message's samples to <paramref name="batch"/> (all or none) or says why it cannot.</summary>
    public MqttRejectReason Map(string topic, in ReadOnlySequence<byte> payload, long receiveTimeNs, SampleBatch batch)
    {
        var binding = Bind(topic);
        if (binding is null)
        {
            return MqttRejectReason.NoMatchingRule;
        }

        switch (binding.Rule.Rule.Format)
        {
            case MqttPayloadFormat.Plain:
            {
                var reason = PlainPayloadDecoder.TryDecode(payload, out var value);
                if (reason == MqttRejectReason.None)
                {
                    batch.Add(new Sample(binding.DefaultPath!, receiveTimeNs, value, Quality.Good, receiveTimeNs));
                }

                return reason;
            }

            case MqttPayloadFormat.Json:
            {
                _scratch.Clear();
                _current = binding;
                _currentReceiveNs = receiveTimeNs;
                var reason = binding.Rule.Json!.Decode(payload, _jsonSink);
                _current = null;
                if (reason == MqttRejectReason.None)
                {
                    batch.AddRange(_scratch.Samples);
                }

                _scratch.Clear();
                return reason;
            }

            default:
                return Sparkplug!.Decode(binding.Site, binding.Rule.Rule.Area, binding.Rule.Rule.Line, topic, payload, receiveTimeNs, batch);
        }
    }

    public void Dispose()
    {
        _scratch.Dispose();
        Sparkplug?.Dispose();
    }

    private void AddJsonValue(string? tag, SampleValue value, long sourceTimeNs, Quality quality)
    {
        var binding = _current!;
        var path = tag is null ? binding.DefaultPath! : binding.PathFor(tag);
        _scratch.Add(new Sample(path, sourceTimeNs == 0 ? _currentReceiveNs : sourceTimeNs, value, quality, _currentReceiveNs));
    }

    private TopicBinding? Bind(string topic)
    {
        if (_bindings.TryGetValue(topic, out var cached))
        {
            return cached;
        }

        TopicBinding? binding = null;
        Span<Range> captures = stackalloc Range[5];
        foreach (var rule in _rules)
        {
            captures.Clear();
            if (rule.Template.TryMatch(topic, captures))
            {
                binding = new TopicBinding(rule, topic, captures);
                break;
            }
        }

        if (_bindings.Count >= MaxCachedTopics)
        {
            _bindings.Clear();
        }

        _bindings[topic] = binding;
        return binding;
    }

    private sealed record CompiledRule(MqttMappingRule Rule, TopicTemplate Template, JsonPayloadDecoder? Json);

    /// <summary>A topic resolved against its rule: the machine's parts and the paths of its tags.</summary>
    private sealed class TopicBinding
    {
        private const int MaxTagsPerTopic = 10_000;
        private readonly Dictionary<string, AssetPath> _tags = new(StringComparer.Ordinal);

        public TopicBinding(CompiledRule rule, string topic, ReadOnlySpan<Range> captures)
        {
            Rule = rule;
            var r = rule.Rule;
            Site = Part(topic, captures[0]) ?? r.Site ?? string.Empty;
            Area = Part(topic, captures[1]) ?? r.Area ?? string.Empty;
            Line = Part(topic, captures[2]) ?? r.Line ?? string.Empty;
            Machine = Part(topic, captures[3]) ?? r.Machine ?? string.Empty;
            var tag = Part(topic, captures[4]) ?? r.Tag;
            if (r.Format != MqttPayloadFormat.SparkplugB && tag is not null)
            {
                DefaultPath = new AssetPath(Site, Area, Line, Machine, tag);
            }
        }

        public CompiledRule Rule { get; }

        public string Site { get; }

        public string Area { get; }

        public string Line { get; }

        public string Machine { get; }

        public AssetPath? DefaultPath { get; }

        public AssetPath PathFor(string tag)
        {
            if (_tags.TryGetValue(tag, out var path))
            {
                return path;
            }

            if (_tags.Count >= MaxTagsPerTopic)
            {
                _tags.Clear();
            }

            path = new AssetPath(Site, Area, Line, Machine, tag);
            _tags[tag] = path;
            return path;
        }

        private static string? Part(string topic, Range range) =>
            range.Equals(default(Range)) ? null : topic[range];
    }
}
