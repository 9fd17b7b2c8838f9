using System.Buffers;
using System.Buffers.Text;
using Telemetry.Core;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Writing;

/// <summary>What the validator decided about one request body.</summary>
public enum BatchVerdict : byte
{
    Accepted,

    /// <summary>A line does not parse: 400, nothing stored.</summary>
    Malformed,

    /// <summary>A point has no site tag, or names a site the token does not own: 403, nothing stored.</summary>
    ForeignSite,
}

/// <summary>The outcome of <see cref="BatchValidator.Validate"/>.</summary>
public readonly record struct BatchResult(BatchVerdict Verdict, int Points, int PointsWithoutTimestamp, string? Error)
{
    public bool IsAccepted => Verdict == BatchVerdict.Accepted;
}

/// <summary>
/// The strict one-bad-line policy, in one pass over the body: a body is accepted only when every line parses and
/// every point carries the writer's own <c>site</c> tag. The first bad line rejects the whole batch (nothing is
/// stored) with a message naming line:column, so the edge quarantines exactly that batch. InfluxDB 1.x would store
/// the good lines and answer "partial write"; VictoriaMetrics would store bad values as 0 and answer 204. Lines of
/// the sample schema (<see cref="SampleLineEncoder"/>) are decoded into the given batch on the way, for the live
/// hub and machine health; other lines are only stored.
/// </summary>
public static class BatchValidator
{
    private static ReadOnlySpan<byte> SiteKey => "site"u8;

    public static BatchResult Validate(
        LineProtocolParser parser,
        ReadOnlySpan<byte> body,
        ReadOnlySpan<byte> siteUtf8,
        SampleLineDecoder? decoder,
        SampleBatch? samples,
        long receiveTimeNs) =>
        Validate(parser, body, siteUtf8, decoder, null, samples, receiveTimeNs);

    /// <summary>As above, decoding known series through <paramref name="series"/> (the write path's fast path).</summary>
    public static BatchResult Validate(
        LineProtocolParser parser,
        ReadOnlySpan<byte> body,
        ReadOnlySpan<byte> siteUtf8,
        SampleLineDecoder? decoder,
        SampleSeriesCache? series,
        SampleBatch? samples,
        long receiveTimeNs)
    {
        ArgumentNullException.ThrowIfNull(parser);
        var points = 0;
        var withoutTimestamp = 0;
        try
        {
            var reader = parser.CreateReader(body);
            while (reader.TryReadLine(out var line))
            {
                var tag = line.IndexOfTag(SiteKey);
                if (tag < 0)
                {
                    return new(BatchVerdict.ForeignSite, 0, 0,
                        $"line {line.LineNumber}: the point has no site tag; this token writes site '{Utf8(siteUtf8)}' (add the tag site={Utf8(siteUtf8)})");
                }

                if (!line.GetTag(tag).Value.EqualsUtf8(siteUtf8))
                {
                    return new(BatchVerdict.ForeignSite, 0, 0,
                        $"line {line.LineNumber}: the point names site '{line.GetTag(tag).Value.ToString()}'; this token writes site '{Utf8(siteUtf8)}' only");
                }

                if (!line.HasTimestamp)
                {
                    withoutTimestamp++;
                }

                if (series is not null && decoder is not null && samples is not null)
                {
                    Decode(series, decoder, samples, line, receiveTimeNs);
                }
                else if (decoder is not null && samples is not null)
                {
                    Decode(decoder, samples, line, receiveTimeNs);
                }

                points++;
            }
        }
        catch (LineProtocolException ex)
        {
            return new(BatchVerdict.Malformed, 0, 0, $"line {ex.Line}:{ex.Column}: {ex.Reason}");
        }

        return new(BatchVerdict.Accepted, points, withoutTimestamp, null);
    }

    /// <summary>
    /// Writes <paramref name="body"/>'s lines to <paramref name="output"/>, giving each line that has no timestamp
    /// <paramref name="receiveTime"/> (in the parser's precision), so that a retried write overwrites itself in the
    /// store instead of getting the store's clock twice. Comments and blank lines are left out. Call only on a body
    /// <see cref="Validate"/> accepted.
    /// </summary>
    public static void StampMissingTimestamps(LineProtocolParser parser, ReadOnlySpan<byte> body, long receiveTime, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> stamp = stackalloc byte[24];
        stamp[0] = (byte)' ';
        Utf8Formatter.TryFormat(receiveTime, stamp[1..], out var digits);
        stamp = stamp[..(digits + 1)];
        var reader = parser.CreateReader(body);
        while (reader.TryReadLine(out var line))
        {
            output.Write(line.Raw);
            if (!line.HasTimestamp)
            {
                output.Write(stamp);
            }

            output.Write("\n"u8);
        }
    }

    private static void Decode(SampleLineDecoder decoder, SampleBatch samples, in LineProtocolLine line, long receiveTimeNs)
    {
        try
        {
            if (decoder.TryDecode(line, receiveTimeNs, receiveTimeNs, out var sample))
            {
                samples.Add(sample);
            }
        }
        catch (LineProtocolException)
        {
            // A line of the schema's measurement that does not fit the schema (another client's data under the
            // same name): stored as it is, just not shown live.
        }
    }

    private static void Decode(SampleSeriesCache series, SampleLineDecoder decoder, SampleBatch samples, in LineProtocolLine line, long receiveTimeNs)
    {
        try
        {
            if (series.TryDecode(decoder, line, receiveTimeNs, receiveTimeNs, out var sample))
            {
                samples.Add(sample);
            }
        }
        catch (LineProtocolException)
        {
            // As in the decoder's path: stored, not shown live.
        }
    }

    private static string Utf8(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);
}
