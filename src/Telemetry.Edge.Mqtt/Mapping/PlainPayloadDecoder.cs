using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Telemetry.Core;

namespace Telemetry.Edge.Mqtt.Mapping;

/// <summary>A plain payload: an integer, a decimal number, `true`/`false`, or else UTF-8 text.</summary>
internal static class PlainPayloadDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static MqttRejectReason TryDecode(ReadOnlySpan<byte> payload, out SampleValue value)
    {
        value = default;
        var text = Trim(payload);
        if (text.IsEmpty)
        {
            return MqttRejectReason.EmptyPayload;
        }

        if (Utf8Parser.TryParse(text, out long integer, out var used) && used == text.Length)
        {
            value = SampleValue.FromInt64(integer);
            return MqttRejectReason.None;
        }

        if (Utf8Parser.TryParse(text, out double number, out used) && used == text.Length && double.IsFinite(number))
        {
            value = SampleValue.FromDouble(number);
            return MqttRejectReason.None;
        }

        if (text.SequenceEqual("true"u8))
        {
            value = SampleValue.FromBoolean(true);
            return MqttRejectReason.None;
        }

        if (text.SequenceEqual("false"u8))
        {
            value = SampleValue.FromBoolean(false);
            return MqttRejectReason.None;
        }

        try
        {
            value = SampleValue.FromString(StrictUtf8.GetString(payload));
            return MqttRejectReason.None;
        }
        catch (DecoderFallbackException)
        {
            return MqttRejectReason.NotUtf8;
        }
    }

    public static MqttRejectReason TryDecode(in ReadOnlySequence<byte> payload, out SampleValue value)
    {
        if (payload.IsSingleSegment)
        {
            return TryDecode(payload.FirstSpan, out value);
        }

        return TryDecode(payload.ToArray(), out value);
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        var start = 0;
        while (start < s.Length && s[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        var end = s.Length;
        while (end > start && s[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            end--;
        }

        return s[start..end];
    }
}
