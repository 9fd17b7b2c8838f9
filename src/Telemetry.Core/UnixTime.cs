namespace Telemetry.Core;

/// <summary>
/// Timestamps are nanoseconds since the Unix epoch (UTC) in a long: the line protocol's own unit, good until 2262.
/// </summary>
public static class UnixTime
{
    private const long TicksPerNanosecond100 = 100; // one DateTime tick is 100 ns

    public static long FromDateTimeOffset(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * TicksPerNanosecond100;

    public static long FromDateTime(DateTime utc) =>
        (utc.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * TicksPerNanosecond100;

    /// <summary>Converts back, truncating to the 100 ns resolution of <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset ToDateTimeOffset(long unixNanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(unixNanoseconds / TicksPerNanosecond100);

    public static long Now(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return FromDateTimeOffset(timeProvider.GetUtcNow());
    }
}
