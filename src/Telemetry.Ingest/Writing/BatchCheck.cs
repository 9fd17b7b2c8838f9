using System.Text;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Writing;

/// <summary>
/// The strict one-bad-line policy: a body is accepted only when every line parses and every point carries the
/// writer's own <c>site</c> tag. The first bad line rejects the whole batch (nothing is stored) with a message
/// naming line:column, so the edge quarantines exactly that batch. (InfluxDB 1.x would store the good lines and
/// answer "partial write"; VictoriaMetrics would store bad values as 0.)
/// </summary>
public static class BatchCheck
{
    private static readonly byte[] SiteKey = "site"u8.ToArray();

    /// <summary>Checks <paramref name="body"/>; returns the point count, or null with <paramref name="error"/> set.</summary>
    public static int? Check(LineProtocolParser parser, ReadOnlySpan<byte> body, string site, out string? error)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(site);
        Span<byte> siteUtf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(64)];
        siteUtf8 = siteUtf8[..Encoding.UTF8.GetBytes(site, siteUtf8)];
        var points = 0;
        try
        {
            var reader = parser.CreateReader(body);
            while (reader.TryReadLine(out var line))
            {
                var tag = line.IndexOfTag(SiteKey);
                if (tag < 0)
                {
                    error = $"line {line.LineNumber}: the point has no site tag; this token writes site '{site}'";
                    return null;
                }

                if (!line.GetTag(tag).Value.EqualsUtf8(siteUtf8))
                {
                    error = $"line {line.LineNumber}: the point names another site; this token writes site '{site}' only";
                    return null;
                }

                points++;
            }
        }
        catch (LineProtocolException ex)
        {
            error = $"line {ex.Line}:{ex.Column}: {ex.Reason}";
            return null;
        }

        error = null;
        return points;
    }
}
