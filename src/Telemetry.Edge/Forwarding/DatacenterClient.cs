using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;

namespace Telemetry.Edge.Forwarding;

/// <summary>The spool sequence range a request carries (inclusive), for the datacenter's loss accounting.</summary>
public readonly record struct SpoolRange(long First, long Last)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}

/// <summary>
/// POSTs one encoded batch to the datacenter and says what came of it (<see cref="DeliveryOutcome"/>); never
/// throws for what the server or the network did. Retrying is the caller's business (<see cref="DeliveryPolicy"/>).
/// </summary>
public sealed class DatacenterClient : IDisposable
{
    /// <summary>The edge's id (<see cref="DatacenterOptions.EdgeId"/>), on every request.</summary>
    public const string EdgeHeader = "X-Telemetry-Edge";

    /// <summary>
    /// The spool records the request carries, for the datacenter's loss accounting: <c>first-last</c>, decimal,
    /// inclusive record sequence numbers (<see cref="SpoolRange"/>; "5-9" is records 5, 6, 7, 8 and 9; one record is
    /// "7-7"). A record is one source batch, so a range counts records, not samples. Both lanes of live-first
    /// forwarding send their own disjoint ranges, not in order. Inside a range, records may be missing that are
    /// carried by another request (acknowledged by the other lane) or that the spool lost to corruption (it counts
    /// those). Ranges repeat when a batch is sent again: after a 413 both halves carry the batch's range; after a
    /// restart, records acknowledged above the spool's persisted cursor are sent once more.
    /// </summary>
    public const string SpoolRangeHeader = "X-Telemetry-Spool-Range";

    private readonly DatacenterOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _writeUri;
    private readonly AuthenticationHeaderValue? _authorization;

    public DatacenterClient(DatacenterOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _writeUri = options.WriteUri();
        _http = new HttpClient(handler ?? CreateHandler(options), disposeHandler: true)
        {
            // Per-attempt timeouts belong to the delivery policy; this is only a backstop.
            Timeout = options.RequestTimeout + TimeSpan.FromSeconds(5),
        };
        _authorization = options switch
        {
            { Token: { Length: > 0 } token } => new AuthenticationHeaderValue("Token", token),
            { Username: { Length: > 0 } user } => new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{options.Password}"))),
            _ => null,
        };
    }

    public Uri WriteUri => _writeUri;

    public static SocketsHttpHandler CreateHandler(DatacenterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxInFlight,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (options.Tls is { } tls)
        {
            DatacenterTls.Apply(handler, tls);
        }

        return handler;
    }

    /// <param name="body">Line protocol, gzip-compressed when <paramref name="gzipped"/>.</param>
    public async Task<DeliveryOutcome> SendAsync(ReadOnlyMemory<byte> body, bool gzipped, SpoolRange range, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _writeUri);
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (gzipped)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        request.Content = content;
        request.Headers.Authorization = _authorization;
        request.Headers.TryAddWithoutValidation(EdgeHeader, _options.EdgeId);
        request.Headers.TryAddWithoutValidation(SpoolRangeHeader, range.ToString());
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return DeliveryOutcome.Delivered(status);
            }

            var message = await ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
            var retryAfter = RetryAfterOf(response);
            return status switch
            {
                400 or 422 => new DeliveryOutcome(DeliveryStatus.Rejected, status, message, null),
                413 => new DeliveryOutcome(DeliveryStatus.TooLarge, status, message, null),
                401 or 403 or 404 => new DeliveryOutcome(DeliveryStatus.ConfigurationError, status, $"{_writeUri.GetLeftPart(UriPartial.Path)} answered {status}: {message}", retryAfter),
                _ => new DeliveryOutcome(DeliveryStatus.Transient, status, message, retryAfter),
            };
        }
        catch (HttpRequestException ex) when (ex.InnerException is AuthenticationException)
        {
            return new DeliveryOutcome(DeliveryStatus.CertificateError, 0, DatacenterTls.Explain(_writeUri, _options.Tls, ex.InnerException.Message), null);
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryOutcome(DeliveryStatus.Transient, 0, $"{_writeUri.Host}:{_writeUri.Port}: {ex.Message}", null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryOutcome(DeliveryStatus.Transient, 0, $"{_writeUri.Host}:{_writeUri.Port}: no answer in time", null);
        }
    }

    public void Dispose() => _http.Dispose();

    private static async Task<string> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length > 2000 ? text[..2000] : text.Trim();
        }
        catch (HttpRequestException)
        {
            return response.ReasonPhrase ?? string.Empty;
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
