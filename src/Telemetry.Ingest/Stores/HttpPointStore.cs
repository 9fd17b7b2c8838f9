using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Telemetry.Core.Buffers;
using Telemetry.Ingest.Configuration;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Stores;

/// <summary>
/// Writes line protocol to InfluxDB 1.x (<c>/write?db=</c>), InfluxDB 2/3 (<c>/api/v2/write?org=&amp;bucket=</c>) or
/// VictoriaMetrics (<c>/write</c>) over HTTP, with Polly: a total timeout, jittered exponential retries of transient
/// failures (network errors, timeouts, 5xx, 429 honouring Retry-After), a circuit breaker (store down: answer 503 at
/// once instead of queueing) and a per-attempt timeout. At most <see cref="StoreOptions.MaxConcurrentWrites"/> run at
/// once and <see cref="StoreOptions.MaxQueuedWrites"/> wait; one more is refused as saturated (429) so a slow store
/// pushes back on the edges instead of filling the ingest's memory.
/// </summary>
public sealed partial class HttpPointStore : IPointStore
{
    private readonly StoreOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly SemaphoreSlim _slots;
    private readonly string[] _writeUris = new string[4];
    private readonly Uri _pingUri;
    private readonly AuthenticationHeaderValue? _authorization;
    private int _pending;

    public HttpPointStore(StoreOptions options, ILogger logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Kind == StoreKind.Null || options.Url is null)
        {
            throw new ArgumentException("An HTTP store needs a kind and a URL.", nameof(options));
        }

        _options = options;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrentWrites, options.MaxConcurrentWrites);
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxConcurrentWrites,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = options.AttemptTimeout,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _authorization = options switch
        {
            { Kind: StoreKind.InfluxDb1, Username: { Length: > 0 } user } => new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{options.Password ?? options.Token}"))),
            { Token: { Length: > 0 } token } => new AuthenticationHeaderValue("Token", token),
            _ => null,
        };
        var baseUrl = options.Url.AbsoluteUri.TrimEnd('/');
        foreach (var precision in Enum.GetValues<TimestampPrecision>())
        {
            _writeUris[(int)precision] = baseUrl + WritePath(options, precision);
        }

        _pingUri = new Uri(baseUrl + (options.Kind == StoreKind.InfluxDb1 ? "/ping" : "/health"));
        _pipeline = BuildPipeline(options, timeProvider ?? TimeProvider.System);
        Description = options.Kind switch
        {
            StoreKind.InfluxDb1 => $"influxdb1 {baseUrl} db={options.Database}",
            StoreKind.InfluxDb2 => $"influxdb2 {baseUrl} org={options.Org} bucket={options.Bucket}",
            _ => $"victoriametrics {baseUrl}",
        };
    }

    public string Description { get; }

    /// <summary>Writes waiting for or holding a slot right now.</summary>
    public int PendingWrites => Volatile.Read(ref _pending);

    public ValueTask<StoreOutcome> WriteAsync(ReadOnlyMemory<byte> lines, TimestampPrecision precision, CancellationToken cancellationToken = default) =>
        WriteAsync(lines, default, precision, cancellationToken);

    /// <summary>With <see cref="StoreOptions.Gzip"/>, a non-empty <paramref name="gzipped"/> (the edge's own gzip body of
    /// exactly these lines) is sent as it is instead of compressing <paramref name="lines"/> again.</summary>
    public async ValueTask<StoreOutcome> WriteAsync(ReadOnlyMemory<byte> lines, ReadOnlyMemory<byte> gzipped, TimestampPrecision precision, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _pending) > _options.MaxConcurrentWrites + _options.MaxQueuedWrites)
        {
            Interlocked.Decrement(ref _pending);
            return new StoreOutcome(StoreStatus.Saturated, "the store is saturated: too many writes are waiting", TimeSpan.FromSeconds(1));
        }

        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var passThrough = _options.Gzip && !gzipped.IsEmpty;
                using var compressed = _options.Gzip && !passThrough ? Compress(lines.Span) : null;
                var body = passThrough ? gzipped : compressed?.WrittenMemory ?? lines;
                var state = (store: this, body, gzip: _options.Gzip, uri: _writeUris[(int)precision]);
                using var response = await _pipeline.ExecuteAsync(
                    static (s, ct) => s.store.SendAsync(s.uri, s.body, s.gzip, ct), state, cancellationToken).ConfigureAwait(false);
                return await ToOutcomeAsync(response, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (BrokenCircuitException ex)
        {
            return new StoreOutcome(StoreStatus.Unavailable, $"the store {Description} is down: {ex.Message}", ex.RetryAfter ?? _options.BreakDuration);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or IOException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogStoreFailed(_logger, Description, ex.Message);
            return new StoreOutcome(StoreStatus.Unavailable, $"the store {Description} did not take the write: {ex.Message}", TimeSpan.FromSeconds(2));
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    public async ValueTask<(bool Reachable, string? Error)> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var request = new HttpRequestMessage(HttpMethod.Get, _pingUri);
            request.Headers.Authorization = _authorization;
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? (true, null) : (false, $"{_pingUri} answered HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return (false, $"{_pingUri}: {ex.Message}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        _slots.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string WritePath(StoreOptions options, TimestampPrecision precision)
    {
        static string E(string? s) => Uri.EscapeDataString(s ?? string.Empty);

        // InfluxDB 1.x and VictoriaMetrics name microseconds "u", InfluxDB 2 "us".
        var v1 = precision switch
        {
            TimestampPrecision.Microseconds => "u",
            TimestampPrecision.Milliseconds => "ms",
            TimestampPrecision.Seconds => "s",
            _ => "ns",
        };
        return options.Kind switch
        {
            StoreKind.InfluxDb1 => $"/write?db={E(options.Database)}{(options.RetentionPolicy is null ? string.Empty : "&rp=" + E(options.RetentionPolicy))}&precision={v1}",
            StoreKind.InfluxDb2 => $"/api/v2/write?org={E(options.Org)}&bucket={E(options.Bucket)}&precision={(v1 == "u" ? "us" : v1)}",
            _ => $"/write?precision={v1}{(options.Database is null ? string.Empty : "&db=" + E(options.Database))}",
        };
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(StoreOptions options, TimeProvider timeProvider)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .Handle<IOException>()
            .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddTimeout(options.TotalTimeout);
        if (options.RetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.RetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                DelayGenerator = static args => ValueTask.FromResult(args.Outcome.Result?.Headers.RetryAfter?.Delta),
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                FailureRatio = 1.0,
                MinimumThroughput = options.BreakAfterFailures,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.BreakDuration,
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    private async ValueTask<HttpResponseMessage> SendAsync(string uri, ReadOnlyMemory<byte> body, bool gzip, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        request.Content = content;
        request.Headers.Authorization = _authorization;
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<StoreOutcome> ToOutcomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return StoreOutcome.Stored;
        }

        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (text.Length > 500)
        {
            text = text[..500];
        }

        var message = $"the store {Description} answered HTTP {status}: {text.Trim()}";
        switch (status)
        {
            case 400 or 422:
                // InfluxDB: a field type conflict or "partial write" (valid lines of the batch are stored; the edge
                // quarantines the batch with this message).
                return new StoreOutcome(StoreStatus.Rejected, message);
            case 413:
                return new StoreOutcome(StoreStatus.Rejected, message) { RetryAfter = null, TooLarge = true };
            default:
                // 401/403/404 (wrong credentials, missing database) are the datacenter's configuration: the edge keeps
                // its data and retries; the operator sees this in the log and /health.
                LogStoreFailed(_logger, Description, message);
                return new StoreOutcome(StoreStatus.Unavailable, message, response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5));
        }
    }

    private static PooledByteBuffer Compress(ReadOnlySpan<byte> lines)
    {
        var output = new PooledByteBuffer(Math.Max(4096, lines.Length / 4));
        using (var gzip = new GZipStream(new BufferWriterStream(output), CompressionLevel.Fastest, leaveOpen: false))
        {
            gzip.Write(lines);
        }

        return output;
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Store write failed ({Store}): {Reason}; the edge keeps its data and retries")]
    private static partial void LogStoreFailed(ILogger logger, string store, string reason);
}
