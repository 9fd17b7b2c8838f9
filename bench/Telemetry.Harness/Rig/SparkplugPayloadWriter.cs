using System.Buffers;
using System.Text;

namespace Telemetry.Harness.Rig;

/// <summary>
/// The few Sparkplug B payloads the load publisher sends, encoded by hand (protobuf wire format, proto2, from the
/// Sparkplug 3.0 sparkplug_b.proto): independent of the edge's decoder, which uses generated Google.Protobuf code.
/// <code>
/// Payload: 1 timestamp (varint) | 2 metrics (length-delimited Metric, repeated) | 3 seq (varint)
/// Metric:  1 name (string) | 2 alias (varint) | 3 timestamp (varint) | 4 datatype (varint) | 11 long_value (varint) | 14 boolean_value (varint)
/// </code>
/// </summary>
public static class SparkplugPayloadWriter
{
    public const uint Int64 = 4;
    public const uint UInt64 = 8;
    public const uint Boolean = 11;

    /// <summary>NBIRTH: bdSeq and the Rebirth control, seq 0.</summary>
    public static byte[] NodeBirth(long timestampMs, ulong bdSeq)
    {
        var body = new ArrayBufferWriter<byte>(64);
        Metric(body, "bdSeq", null, null, UInt64, bdSeq, isBoolean: false);
        Metric(body, "Node Control/Rebirth", null, null, Boolean, 0, isBoolean: true);
        return Payload(timestampMs, 0, body.WrittenSpan);
    }

    /// <summary>NDEATH (the will): bdSeq only, no seq.</summary>
    public static byte[] NodeDeath(long timestampMs, ulong bdSeq)
    {
        var body = new ArrayBufferWriter<byte>(32);
        Metric(body, "bdSeq", null, null, UInt64, bdSeq, isBoolean: false);
        var payload = new ArrayBufferWriter<byte>(48);
        Varint(payload, (1 << 3) | 0);
        Varint(payload, (ulong)timestampMs);
        Bytes(payload, 2, body.WrittenSpan);
        return payload.WrittenSpan.ToArray();
    }

    /// <summary>DBIRTH: every tag by name with its alias and Int64 type, each carrying <paramref name="value"/> at <paramref name="timestampMs"/>.</summary>
    public static byte[] DeviceBirth(long timestampMs, int seq, IReadOnlyList<string> tags, Func<int, ulong> alias, long value)
    {
        var body = new ArrayBufferWriter<byte>(tags.Count * 32);
        for (var i = 0; i < tags.Count; i++)
        {
            Metric(body, tags[i], alias(i), (ulong)timestampMs, Int64, (ulong)value, isBoolean: false);
        }

        return Payload(timestampMs, seq, body.WrittenSpan);
    }

    /// <summary>DDATA: every tag by alias only, each <paramref name="value"/> at <paramref name="timestampMs"/>.</summary>
    public static byte[] DeviceData(long timestampMs, int seq, int tagCount, Func<int, ulong> alias, long value)
    {
        var body = new ArrayBufferWriter<byte>(tagCount * 20);
        for (var i = 0; i < tagCount; i++)
        {
            Metric(body, null, alias(i), (ulong)timestampMs, null, (ulong)value, isBoolean: false);
        }

        return Payload(timestampMs, seq, body.WrittenSpan);
    }

    private static byte[] Payload(long timestampMs, int seq, ReadOnlySpan<byte> metrics)
    {
        var payload = new ArrayBufferWriter<byte>(metrics.Length + 24);
        Varint(payload, (1 << 3) | 0);
        Varint(payload, (ulong)timestampMs);
        payload.Write(metrics);
        Varint(payload, (3 << 3) | 0);
        Varint(payload, (ulong)seq);
        return payload.WrittenSpan.ToArray();
    }

    /// <summary>Appends one metrics entry (field 2 of Payload) to <paramref name="output"/>.</summary>
    private static void Metric(ArrayBufferWriter<byte> output, string? name, ulong? alias, ulong? timestampMs, uint? dataType, ulong value, bool isBoolean)
    {
        var metric = new ArrayBufferWriter<byte>(48);
        if (name is not null)
        {
            Bytes(metric, 1, Encoding.UTF8.GetBytes(name));
        }

        if (alias is { } a)
        {
            Varint(metric, (2 << 3) | 0);
            Varint(metric, a);
        }

        if (timestampMs is { } t)
        {
            Varint(metric, (3 << 3) | 0);
            Varint(metric, t);
        }

        if (dataType is { } d)
        {
            Varint(metric, (4 << 3) | 0);
            Varint(metric, d);
        }

        Varint(metric, ((isBoolean ? 14UL : 11UL) << 3) | 0);
        Varint(metric, value);
        Bytes(output, 2, metric.WrittenSpan);
    }

    private static void Bytes(ArrayBufferWriter<byte> output, int field, ReadOnlySpan<byte> bytes)
    {
        Varint(output, ((ulong)field << 3) | 2);
        Varint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void Varint(ArrayBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        output.Advance(n);
    }
}
