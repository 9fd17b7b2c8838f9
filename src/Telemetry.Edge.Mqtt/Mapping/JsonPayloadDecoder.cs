using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Telemetry.Core;

namespace Telemetry.Edge.Mqtt.Mapping;

/// <summary>Reads one or many values from a JSON payload by the paths of an <see cref="MqttJsonMapping"/>.</summary>
internal sealed class JsonPayloadDecoder
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };
    private readonly MqttJsonMapping _mapping;
    private readonly string[]? _value;
    private readonly string[]? _timestamp;
    private readonly string[]? _quality;
    private readonly string[]? _values;
    private readonly string[]? _itemTag;

    public JsonPayloadDecoder(MqttJsonMapping mapping)
    {
        _mapping = mapping;
        _value = Split(mapping.ValuePath);
        _timestamp = Split(mapping.TimestampPath);
        _quality = Split(mapping.QualityPath);
        _values = Split(mapping.ValuesPath);
        _itemTag = Split(mapping.ItemTagPath);
    }

    /// <summary>Called per value: (tag or null for the rule's tag, value, source time or 0, quality).</summary>
    public delegate void ValueSink(string? tag, SampleValue value, long sourceTimeNs, Quality quality);

    public MqttRejectReason Decode(in ReadOnlySequence<byte> payload, ValueSink sink)
    {
        if (payload.IsEmpty)
        {
            return MqttRejectReason.EmptyPayload;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, DocumentOptions);
        }
        catch (JsonException)
        {
            return MqttRejectReason.InvalidJson;
        }

        using (document)
        {
            var root = document.RootElement;
            var reason = ReadTime(root, out var messageTime);
            if (reason != MqttRejectReason.None)
            {
                return reason;
            }

            reason = ReadQuality(root, out var messageQuality);
            if (reason != MqttRejectReason.None)
            {
                return reason;
            }

            if (_values is null)
            {
                if (!TryGet(root, _value, out var element))
                {
                    return MqttRejectReason.MissingValue;
                }

                reason = ToValue(element, out var value);
                if (reason == MqttRejectReason.None)
                {
                    sink(null, value, messageTime, messageQuality);
                }

                return reason;
            }

            if (!TryGet(root, _values, out var many))
            {
                return MqttRejectReason.MissingValue;
            }

            return many.ValueKind switch
            {
                JsonValueKind.Object => DecodeObject(many, messageTime, messageQuality, sink),
                JsonValueKind.Array => DecodeArray(many, messageTime, messageQuality, sink),
                _ => MqttRejectReason.MissingValue,
            };
        }
    }

    private static MqttRejectReason DecodeObject(JsonElement many, long time, Quality quality, ValueSink sink)
    {
        var count = 0;
        foreach (var member in many.EnumerateObject())
        {
            var reason = ToValue(member.Value, out var value);
            if (reason != MqttRejectReason.None)
            {
                return reason;
            }

            if (member.Name.Length == 0)
            {
                return MqttRejectReason.BadTopicLevel;
            }

            sink(member.Name, value, time, quality);
            count++;
        }

        return count == 0 ? MqttRejectReason.MissingValue : MqttRejectReason.None;
    }

    private MqttRejectReason DecodeArray(JsonElement many, long time, Quality quality, ValueSink sink)
    {
        var count = 0;
        foreach (var item in many.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object ||
                !TryGet(item, _itemTag, out var tagElement) || tagElement.ValueKind != JsonValueKind.String ||
                tagElement.GetString() is not { Length: > 0 } tag)
            {
                return MqttRejectReason.MissingValue;
            }

            if (!TryGet(item, _value, out var valueElement))
            {
                return MqttRejectReason.MissingValue;
            }

            var reason = ToValue(valueElement, out var value);
            if (reason != MqttRejectReason.None)
            {
                return reason;
            }

            var itemTime = time;
            if (_timestamp is not null && TryGet(item, _timestamp, out var ts))
            {
                reason = ToTime(ts, out itemTime);
                if (reason != MqttRejectReason.None)
                {
                    return reason;
                }
            }

            var itemQuality = quality;
            if (_quality is not null && TryGet(item, _quality, out var q))
            {
                reason = ToQuality(q, out itemQuality);
                if (reason != MqttRejectReason.None)
                {
                    return reason;
                }
            }

            sink(tag, value, itemTime, itemQuality);
            count++;
        }

        return count == 0 ? MqttRejectReason.MissingValue : MqttRejectReason.None;
    }

    private MqttRejectReason ReadTime(JsonElement root, out long time)
    {
        time = 0;
        if (_timestamp is null || !TryGet(root, _timestamp, out var element))
        {
            // A missing message timestamp: the receive time stands in (array items may carry their own).
            return MqttRejectReason.None;
        }

        return ToTime(element, out time);
    }

    private MqttRejectReason ReadQuality(JsonElement root, out Quality quality)
    {
        quality = Quality.Good;
        if (_quality is null || !TryGet(root, _quality, out var element))
        {
            return MqttRejectReason.None;
        }

        return ToQuality(element, out quality);
    }

    private MqttRejectReason ToTime(JsonElement element, out long time)
    {
        time = 0;
        if (element.ValueKind == JsonValueKind.Number)
        {
            if (element.TryGetInt64(out var whole))
            {
                var ns = _mapping.TimestampUnit switch
                {
                    MqttTimestampUnit.Seconds => Checked(whole, 1_000_000_000L),
                    MqttTimestampUnit.Milliseconds => Checked(whole, 1_000_000L),
                    MqttTimestampUnit.Microseconds => Checked(whole, 1_000L),
                    _ => whole,
                };
                if (ns is not { } ok || ok <= 0)
                {
                    return MqttRejectReason.BadTimestamp;
                }

                time = ok;
                return MqttRejectReason.None;
            }

            if (element.TryGetDouble(out var real))
            {
                var scale = _mapping.TimestampUnit switch
                {
                    MqttTimestampUnit.Seconds => 1e9,
                    MqttTimestampUnit.Milliseconds => 1e6,
                    MqttTimestampUnit.Microseconds => 1e3,
                    _ => 1.0,
                };
                var ns = real * scale;
                if (!double.IsFinite(ns) || ns <= 0 || ns >= long.MaxValue)
                {
                    return MqttRejectReason.BadTimestamp;
                }

                time = (long)ns;
                return MqttRejectReason.None;
            }

            return MqttRejectReason.BadTimestamp;
        }

        if (element.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) &&
            when > DateTimeOffset.UnixEpoch)
        {
            time = UnixTime.FromDateTimeOffset(when);
            return MqttRejectReason.None;
        }

        return MqttRejectReason.BadTimestamp;
    }

    private static long? Checked(long value, long factor) =>
        value > long.MaxValue / factor || value < 0 ? null : value * factor;

    private static MqttRejectReason ToQuality(JsonElement element, out Quality quality)
    {
        quality = Quality.Good;
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetUInt32(out var code):
                quality = Quality.FromOpcUaStatus(code);
                return MqttRejectReason.None;
            case JsonValueKind.True:
                return MqttRejectReason.None;
            case JsonValueKind.False:
                quality = Quality.Bad;
                return MqttRejectReason.None;
            case JsonValueKind.String:
                var text = element.GetString();
                if (string.Equals(text, "good", StringComparison.OrdinalIgnoreCase))
                {
                    return MqttRejectReason.None;
                }

                if (string.Equals(text, "uncertain", StringComparison.OrdinalIgnoreCase))
                {
                    quality = Quality.Uncertain;
                    return MqttRejectReason.None;
                }

                if (string.Equals(text, "bad", StringComparison.OrdinalIgnoreCase))
                {
                    quality = Quality.Bad;
                    return MqttRejectReason.None;
                }

                return MqttRejectReason.BadQuality;
            default:
                return MqttRejectReason.BadQuality;
        }
    }

    private static MqttRejectReason ToValue(JsonElement element, out SampleValue value)
    {
        value = default;
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var whole))
                {
                    value = SampleValue.FromInt64(whole);
                    return MqttRejectReason.None;
                }

                if (element.TryGetDouble(out var real) && double.IsFinite(real))
                {
                    value = SampleValue.FromDouble(real);
                    return MqttRejectReason.None;
                }

                return MqttRejectReason.UnsupportedValue;
            case JsonValueKind.True:
                value = SampleValue.FromBoolean(true);
                return MqttRejectReason.None;
            case JsonValueKind.False:
                value = SampleValue.FromBoolean(false);
                return MqttRejectReason.None;
            case JsonValueKind.String:
                value = SampleValue.FromString(element.GetString()!);
                return MqttRejectReason.None;
            case JsonValueKind.Null:
                value = SampleValue.Null;
                return MqttRejectReason.None;
            default:
                return MqttRejectReason.UnsupportedValue;
        }
    }

    private static bool TryGet(JsonElement root, string[]? path, out JsonElement element)
    {
        element = root;
        if (path is null)
        {
            return false;
        }

        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return false;
            }
        }

        return true;
    }

    private static string[]? Split(string? path) => path switch
    {
        null => null,
        "$" => [],
        _ => path.Split('.'),
    };
}
