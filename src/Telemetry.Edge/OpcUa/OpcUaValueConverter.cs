using System.Globalization;
using System.Text;
using Telemetry.Core;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// Turns an OPC UA DataValue into a sample: numbers stay numbers (integers as Int64, Float/Double as double),
/// Boolean stays Boolean, text stays text; the status code becomes the quality, the source timestamp is kept
/// (the server timestamp, then the receive time, when the PLC sends none). Numeric scalars allocate nothing.
/// </summary>
public static class OpcUaValueConverter
{
    /// <summary>Arrays longer than this are written as their first elements and "…".</summary>
    public const int MaxArrayElements = 256;

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    public static Sample ToSample(AssetPath path, in DataValue value, long receiveTimeNs) =>
        new(path, SourceTime(in value, receiveTimeNs), ToValue(value.Value), Quality.FromOpcUaStatus(value.StatusCode.Code), receiveTimeNs);

    public static long SourceTime(in DataValue value, long receiveTimeNs)
    {
        var time = value.SourceTimestamp.Ticks > UnixEpochTicks ? value.SourceTimestamp
            : value.ServerTimestamp.Ticks > UnixEpochTicks ? value.ServerTimestamp
            : default;
        return time.Ticks > UnixEpochTicks ? (time.Ticks - UnixEpochTicks) * 100 : receiveTimeNs;
    }

    public static SampleValue ToValue(in Variant value)
    {
        if (value.IsNull)
        {
            return SampleValue.Null;
        }

        if (value.IsArray)
        {
            return SampleValue.FromString(ArrayText(value.ArrayValue));
        }

        return value.Type switch
        {
            BuiltInType.Boolean => SampleValue.FromBoolean(value.AsBoolean()),
            BuiltInType.SByte or BuiltInType.Byte or BuiltInType.Int16 or BuiltInType.UInt16 or BuiltInType.Int32
                or BuiltInType.UInt32 or BuiltInType.Int64 => SampleValue.FromInt64(value.AsInt64()),
            BuiltInType.UInt64 => value.AsUInt64() <= long.MaxValue ? SampleValue.FromInt64(value.AsInt64()) : SampleValue.FromDouble(value.AsUInt64()),
            BuiltInType.Float => SampleValue.FromDouble(value.AsFloat()),
            BuiltInType.Double => SampleValue.FromDouble(value.AsDouble()),
            BuiltInType.StatusCode => SampleValue.FromInt64(value.AsStatusCode().Code),
            BuiltInType.String or BuiltInType.XmlElement => SampleValue.FromString(value.AsString() ?? string.Empty),
            BuiltInType.DateTime => SampleValue.FromString(value.AsDateTime().ToString("O", CultureInfo.InvariantCulture)),
            BuiltInType.ByteString => SampleValue.FromString(value.Value is byte[] bytes ? Convert.ToBase64String(bytes) : string.Empty),
            _ => SampleValue.FromString(Text(value.Value)),
        };
    }

    /// <summary>How `browse` and `check` show a value.</summary>
    public static string Display(in Variant value)
    {
        var sample = ToValue(value);
        return sample.Kind == SampleValueKind.String && !value.IsArray && value.Type is BuiltInType.String or BuiltInType.LocalizedText
            ? $"\"{sample}\""
            : sample.ToString();
    }

    private static string ArrayText(Array? values)
    {
        if (values is null)
        {
            return "[]";
        }

        var text = new StringBuilder("[");
        var count = 0;
        foreach (var item in values)
        {
            if (count > 0)
            {
                text.Append(',');
            }

            if (count == MaxArrayElements)
            {
                text.Append('…');
                break;
            }

            text.Append(item is string s ? $"\"{s}\"" : Text(item));
            count++;
        }

        return text.Append(']').ToString();
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
