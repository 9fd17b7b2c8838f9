using System.Buffers;
using System.Globalization;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

/// <summary>A field of a test point; Value is double, long, ulong, bool or string.</summary>
public sealed record TestField(string Key, LineProtocolFieldType Type, object Value)
{
    public bool ValueEquals(TestField other) => Type == other.Type && Key == other.Key && Type switch
    {
        LineProtocolFieldType.Float => BitConverter.DoubleToInt64Bits((double)Value) == BitConverter.DoubleToInt64Bits((double)other.Value),
        _ => Value.Equals(other.Value),
    };

    public override string ToString() => $"{Key}:{Type}={Convert.ToString(Value, CultureInfo.InvariantCulture)}";
}

/// <summary>A point as the tests generate and compare it: strings, not wire bytes.</summary>
public sealed record TestPoint(string Measurement, IReadOnlyList<KeyValuePair<string, string>> Tags, IReadOnlyList<TestField> Fields, long? TimestampNs)
{
    public void WriteTo(LineProtocolWriter writer)
    {
        writer.WriteMeasurement(Measurement);
        foreach (var tag in Tags)
        {
            writer.WriteTag(tag.Key, tag.Value);
        }

        foreach (var field in Fields)
        {
            switch (field.Type)
            {
                case LineProtocolFieldType.Float:
                    writer.WriteFloatField(field.Key, (double)field.Value);
                    break;
                case LineProtocolFieldType.Integer:
                    writer.WriteIntegerField(field.Key, (long)field.Value);
                    break;
                case LineProtocolFieldType.Unsigned:
                    writer.WriteUnsignedField(field.Key, (ulong)field.Value);
                    break;
                case LineProtocolFieldType.Boolean:
                    writer.WriteBooleanField(field.Key, (bool)field.Value);
                    break;
                default:
                    writer.WriteStringField(field.Key, (string)field.Value);
                    break;
            }
        }

        if (TimestampNs is { } ns)
        {
            writer.EndLine(ns);
        }
        else
        {
            writer.EndLine();
        }
    }

    public static TestPoint From(in LineProtocolLine line)
    {
        var tags = new List<KeyValuePair<string, string>>(line.TagCount);
        for (var i = 0; i < line.TagCount; i++)
        {
            var tag = line.GetTag(i);
            tags.Add(new(tag.Key.ToString(), tag.Value.ToString()));
        }

        var fields = new List<TestField>(line.FieldCount);
        for (var i = 0; i < line.FieldCount; i++)
        {
            var field = line.GetField(i);
            object value = field.Type switch
            {
                LineProtocolFieldType.Float => field.FloatValue,
                LineProtocolFieldType.Integer => field.IntegerValue,
                LineProtocolFieldType.Unsigned => field.UnsignedValue,
                LineProtocolFieldType.Boolean => field.BooleanValue,
                _ => field.StringValue.ToString(),
            };
            fields.Add(new TestField(field.Key.ToString(), field.Type, value));
        }

        return new TestPoint(line.Measurement.ToString(), tags, fields, line.HasTimestamp ? line.UnixNanoseconds : null);
    }

    public bool SameAs(TestPoint other)
    {
        if (Measurement != other.Measurement || TimestampNs != other.TimestampNs || Tags.Count != other.Tags.Count || Fields.Count != other.Fields.Count)
        {
            return false;
        }

        for (var i = 0; i < Tags.Count; i++)
        {
            if (Tags[i].Key != other.Tags[i].Key || Tags[i].Value != other.Tags[i].Value)
            {
                return false;
            }
        }

        for (var i = 0; i < Fields.Count; i++)
        {
            if (!Fields[i].ValueEquals(other.Fields[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() =>
        $"{Measurement} [{string.Join(", ", Tags.Select(t => $"{t.Key}={t.Value}"))}] [{string.Join(", ", Fields)}] {TimestampNs}";
}

public static class LineProtocolTestHelpers
{
    public static byte[] Write(params TestPoint[] points)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new LineProtocolWriter(buffer);
        foreach (var point in points)
        {
            point.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static List<TestPoint> ParseAll(ReadOnlySpan<byte> input, LineProtocolParser? parser = null)
    {
        parser ??= new LineProtocolParser();
        var reader = parser.CreateReader(input);
        var points = new List<TestPoint>();
        while (reader.TryReadLine(out var line))
        {
            points.Add(TestPoint.From(line));
        }

        return points;
    }

    public static List<TestPoint> ParseAll(string input, LineProtocolParser? parser = null) =>
        ParseAll(System.Text.Encoding.UTF8.GetBytes(input), parser);
}
