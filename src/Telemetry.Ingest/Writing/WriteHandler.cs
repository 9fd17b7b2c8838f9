using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Telemetry.Core;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Diagnostics;
using Telemetry.Ingest.Loss;
using Telemetry.Ingest.Sites;
using Telemetry.Ingest.Stores;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Writing;

/// <summary>Called with the samples of every accepted batch, before the store write (live hub, machine health).</summary>
public delegate void SamplesAccepted(string site, ReadOnlySpan<Sample> samples);

/// <summary>
/// One write request, start to end: authenticate the token (401), read the body within the limits (413, 415, 400
/// for bad gzip), validate every line and the site of every point (400 naming line:column, 403 for another site),
/// fan the samples out to the live subscribers, write to the store and answer 204 only once the store acknowledged
/// (429 when saturated, 503 with Retry-After when it is down), then account the edge's spool range.
/// </summary>
public sealed partial class WriteHandler(
    CallerResolver callers,
    WriteWorkerPool workers,
    IPointStore store,
    LossLedger ledger,
    IngestCounters counters,
    WriteLimits limits,
    SamplesAccepted? accepted,
    TimeProvider timeProvider,
    ILogger logger)
{
    public async Task HandleAsync(HttpContext http, WriteDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(http);
        var started = Stopwatch.GetTimestamp();
        var request = http.Request;
        var response = http.Response;
        var caller = callers.Resolve(request);
        if (caller is null)
        {
            Interlocked.Increment(ref counters.Unauthorized);
            var why = CallerResolver.TokenOf(request) is null ? "no token: send Authorization: Token <site token>" : "the token is not valid";
            await dialect.WriteErrorAsync(response, StatusCodes.Status401Unauthorized, "unauthorized", why).ConfigureAwait(false);
            return;
        }

        if (caller.Site is not { } site)
        {
            await dialect.WriteErrorAsync(response, StatusCodes.Status403Forbidden, "forbidden", "operator tokens cannot write; use the site's token").ConfigureAwait(false);
            return;
        }

        var siteCounters = counters.Site(site);
        Interlocked.Increment(ref siteCounters.Requests);
        var precision = dialect.ParsePrecision(request, out var precisionError);
        if (precision is not { } p)
        {
            Interlocked.Increment(ref siteCounters.Malformed);
            await dialect.WriteErrorAsync(response, StatusCodes.Status400BadRequest, "invalid", precisionError!).ConfigureAwait(false);
            return;
        }

        var worker = workers.Rent();
        try
        {
            await HandleBodyAsync(http, dialect, site, siteCounters, p, worker).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing was acknowledged, so it sends again.
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own limits (body size, data rate) and a body cut off mid-way.
            Interlocked.Increment(ref ex.StatusCode == 413 ? ref siteCounters.TooLarge : ref siteCounters.Malformed);
            if (!response.HasStarted)
            {
                await dialect.WriteErrorAsync(response, ex.StatusCode, ex.StatusCode == 413 ? "request too large" : "invalid", ex.Message).ConfigureAwait(false);
            }
        }
        finally
        {
            workers.Return(worker);
            counters.WriteLatency.Record(Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task HandleBodyAsync(HttpContext http, WriteDialect dialect, string site, SiteCounters siteCounters, TimestampPrecision precision, WriteWorker worker)
    {
        var response = http.Response;
        var aborted = http.RequestAborted;
        var (status, bodyError) = await RequestBodyReader.ReadAsync(http.Request, limits, worker.Raw, worker.Inflated, aborted).ConfigureAwait(false);
        switch (status)
        {
            case BodyReadStatus.TooLarge:
                Interlocked.Increment(ref siteCounters.TooLarge);
                await dialect.WriteErrorAsync(response, StatusCodes.Status413PayloadTooLarge, "request too large", bodyError!).ConfigureAwait(false);
                return;
            case BodyReadStatus.UnsupportedEncoding:
                Interlocked.Increment(ref siteCounters.Malformed);
                await dialect.WriteErrorAsync(response, StatusCodes.Status415UnsupportedMediaType, "invalid", bodyError!).ConfigureAwait(false);
                return;
            case BodyReadStatus.BadGzip:
                Interlocked.Increment(ref siteCounters.Malformed);
                await dialect.WriteErrorAsync(response, StatusCodes.Status400BadRequest, "invalid", bodyError!).ConfigureAwait(false);
                return;
        }

        var body = worker.Inflated.WrittenMemory;
        var parser = worker.Parser(precision);
        var receiveNs = UnixTime.Now(timeProvider);
        var result = Validate(parser, body.Span, site, worker, receiveNs);
        if (!result.IsAccepted)
        {
            var forbidden = result.Verdict == BatchVerdict.ForeignSite;
            Interlocked.Increment(ref forbidden ? ref siteCounters.Forbidden : ref siteCounters.Malformed);
            LogRefused(logger, site, result.Error!);
            await dialect.WriteErrorAsync(
                response,
                forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest,
                forbidden ? "forbidden" : "invalid",
                result.Error!).ConfigureAwait(false);
            return;
        }

        // The request's gzip bytes inflate to exactly the validated body: a gzip store gets them as they are, unless
        // lines were stamped (the body changed).
        var gzipped = worker.Raw.WrittenMemory;
        if (result.PointsWithoutTimestamp > 0)
        {
            BatchValidator.StampMissingTimestamps(parser, body.Span, receiveNs / precision.NanosecondsPerUnit(), worker.Stamped);
            body = worker.Stamped.WrittenMemory;
            gzipped = default;
        }

        if (accepted is not null && worker.Samples.Count > 0)
        {
            accepted(site, worker.Samples.Samples);
        }

        var storeStarted = Stopwatch.GetTimestamp();
        var outcome = result.Points == 0 ? StoreOutcome.Stored : await store.WriteAsync(body, gzipped, precision, aborted).ConfigureAwait(false);
        counters.StoreLatency.Record(Stopwatch.GetElapsedTime(storeStarted));
        switch (outcome.Status)
        {
            case StoreStatus.Stored:
                Interlocked.Add(ref siteCounters.Points, result.Points);
                Interlocked.Add(ref siteCounters.Bytes, body.Length);
                Account(http.Request, site);
                response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case StoreStatus.Rejected:
                Interlocked.Increment(ref siteCounters.StoreRejected);
                await dialect.WriteErrorAsync(
                    response,
                    outcome.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                    outcome.TooLarge ? "request too large" : "invalid",
                    outcome.Message!).ConfigureAwait(false);
                return;
            case StoreStatus.Saturated:
                Interlocked.Increment(ref siteCounters.Saturated);
                await dialect.WriteErrorAsync(response, StatusCodes.Status429TooManyRequests, "too many requests", outcome.Message!, outcome.RetryAfter).ConfigureAwait(false);
                return;
            default:
                Interlocked.Increment(ref siteCounters.StoreUnavailable);
                await dialect.WriteErrorAsync(response, StatusCodes.Status503ServiceUnavailable, "unavailable", outcome.Message!, outcome.RetryAfter ?? TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                return;
        }
    }

    private static BatchResult Validate(LineProtocolParser parser, ReadOnlySpan<byte> body, string site, WriteWorker worker, long receiveNs)
    {
        Span<byte> siteUtf8 = stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes(site, siteUtf8);
        return BatchValidator.Validate(parser, body, siteUtf8[..length], worker.Decoder, worker.Series, worker.Samples, receiveNs);
    }

    private void Account(HttpRequest request, string site)
    {
        var edge = request.Headers[SpoolRangeHeader.Edge].ToString();
        if (edge.Length is > 0 and <= 128
            && SpoolRangeHeader.TryParse(request.Headers[SpoolRangeHeader.Range].ToString(), out var first, out var last))
        {
            ledger.Record(site, edge, first, last);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Write of site {Site} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string site, string reason);
}
