using System.Globalization;

namespace Telemetry.Ingest.Loss;

/// <summary>
/// The edge's <c>X-Telemetry-Edge</c> (its id) and <c>X-Telemetry-Spool-Range</c> (<c>first-last</c>, the inclusive
/// spool record sequence numbers the request carries) headers, sent by the Telemetry forwarder. Plain Influx
/// clients send neither; their writes are simply not accounted.
/// </summary>
public static class SpoolRangeHeader
{
    public const string Edge = "X-Telemetry-Edge";
    public const string Range = "X-Telemetry-Spool-Range";

    public static bool TryParse(string? value, out long first, out long last)
    {
        first = last = 0;
        if (string.IsNullOrEmpty(value) || value.Length > 41)
        {
            return false;
        }

        var dash = value.IndexOf('-', 1);
        return dash > 0
            && long.TryParse(value.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out last)
            && last >= first;
    }
}
