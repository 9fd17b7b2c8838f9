namespace Telemetry.LineProtocol;

/// <summary>
/// Unit of a line protocol timestamp, as InfluxDB's <c>/write?precision=</c> names it (n / u / ms / s).
/// </summary>
public enum TimestampPrecision : byte
{
    Nanoseconds = 0,
    Microseconds = 1,
    Milliseconds = 2,
    Seconds = 3,
}

/// <summary>Conversions between Unix nanoseconds and a <see cref="TimestampPrecision"/>.</summary>
public static class TimestampPrecisionExtensions
{
    /// <summary>Nanoseconds in one unit of the precision.</summary>
    public static long NanosecondsPerUnit(this TimestampPrecision precision) => precision switch
    {
        TimestampPrecision.Nanoseconds => 1,
        TimestampPrecision.Microseconds => 1_000,
        TimestampPrecision.Milliseconds => 1_000_000,
        TimestampPrecision.Seconds => 1_000_000_000,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown timestamp precision."),
    };

    /// <summary>The query-string value InfluxDB expects: "ns", "u", "ms" or "s".</summary>
    public static string ToQueryValue(this TimestampPrecision precision) => precision switch
    {
        TimestampPrecision.Nanoseconds => "ns",
        TimestampPrecision.Microseconds => "u",
        TimestampPrecision.Milliseconds => "ms",
        TimestampPrecision.Seconds => "s",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown timestamp precision."),
    };

    /// <summary>Unix nanoseconds to a timestamp in this precision, rounding down (towards the past).</summary>
    public static long FromUnixNanoseconds(this TimestampPrecision precision, long unixNanoseconds)
    {
        var unit = precision.NanosecondsPerUnit();
        return unit == 1 ? unixNanoseconds : Math.DivRem(unixNanoseconds, unit, out var rest) - (rest < 0 ? 1 : 0);
    }

    /// <summary>A timestamp in this precision to Unix nanoseconds; false when it does not fit in 64 bits.</summary>
    public static bool TryToUnixNanoseconds(this TimestampPrecision precision, long timestamp, out long unixNanoseconds)
    {
        if (precision == TimestampPrecision.Nanoseconds)
        {
            unixNanoseconds = timestamp;
            return true;
        }

        var unit = precision.NanosecondsPerUnit();
        var high = Math.BigMul(timestamp, unit, out var low);
        unixNanoseconds = low;
        return (high == 0 && low >= 0) || (high == -1 && low < 0);
    }
}
