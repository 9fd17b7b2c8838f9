namespace Telemetry.Edge.Forwarding;

/// <summary>What the forwarder writes to.</summary>
public enum DatacenterKind
{
    /// <summary>The Telemetry ingest service (`/api/v2/write`, token auth, edge id and spool range headers).</summary>
    TelemetryIngest,

    /// <summary>InfluxDB 1.x: `POST /write?db=` (u/p or token).</summary>
    InfluxDb1,

    /// <summary>InfluxDB 2/3: `POST /api/v2/write?org=&amp;bucket=` with `Authorization: Token`.</summary>
    InfluxDb2,

    /// <summary>VictoriaMetrics: `POST /write` (lenient: answers 204 to bad lines; the edge's encoder is strict).</summary>
    VictoriaMetrics,
}

/// <summary>The datacenter link of one edge (validated when built).</summary>
public sealed record DatacenterOptions
{
    public required DatacenterKind Kind { get; init; }

    public required Uri BaseUri { get; init; }

    /// <summary>The edge's id, sent with every request for end-to-end loss accounting.</summary>
    public required string EdgeId { get; init; }

    /// <summary>InfluxDB 1.x database (also sent as `db=` to VictoriaMetrics, which makes it a label).</summary>
    public string? Database { get; init; }

    public string? Org { get; init; }

    public string? Bucket { get; init; }

    /// <summary>API token (from an environment variable or a file in the config, never inline).</summary>
    public string? Token { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    public bool Gzip { get; init; } = true;

    public int MaxBatchSamples { get; init; } = 5000;

    public int MaxInFlight { get; init; } = 4;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between retries (backoff is exponential with jitter up to this).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest wait between two probes of a datacenter that is down: the circuit breaker's break grows from 0.5 s
    /// to this, so the forwarder finds out within about this long that the datacenter is back, while a datacenter
    /// that stays down gets one request per this interval from the edge, not one per batch in flight.
    /// </summary>
    public TimeSpan MaxProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where batches the datacenter refused (400) are kept with its message; the stream goes on.</summary>
    public string? QuarantineDirectory { get; init; }

    /// <summary>Live first after an outage: when the backlog splits off and how fast it may drain.</summary>
    public BacklogOptions Backlog { get; init; } = new();

    /// <summary>CA and client certificate for an https:// datacenter; null: the system trust store, no client certificate.</summary>
    public DatacenterTlsOptions? Tls { get; init; }

    public void Validate()
    {
        if (!BaseUri.IsAbsoluteUri || (BaseUri.Scheme != Uri.UriSchemeHttp && BaseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"datacenter url '{BaseUri}': expected an absolute http:// or https:// URL.");
        }

        if (Tls is not null)
        {
            if (BaseUri.Scheme != Uri.UriSchemeHttps)
            {
                throw new ArgumentException("tls settings need an https:// datacenter url.");
            }

            Tls.Validate();
        }

        if (string.IsNullOrWhiteSpace(EdgeId))
        {
            throw new ArgumentException("The edge id must not be empty.");
        }

        if (Kind == DatacenterKind.InfluxDb1 && string.IsNullOrWhiteSpace(Database))
        {
            throw new ArgumentException("An InfluxDB 1.x target needs a database.");
        }

        if (Kind == DatacenterKind.InfluxDb2 && (string.IsNullOrWhiteSpace(Org) || string.IsNullOrWhiteSpace(Bucket)))
        {
            throw new ArgumentException("An InfluxDB 2 target needs an org and a bucket.");
        }

        if (Kind == DatacenterKind.TelemetryIngest && string.IsNullOrWhiteSpace(Token))
        {
            throw new ArgumentException("The ingest service needs the site's token (telemetry-ingest sites add prints it).");
        }

        if (MaxBatchSamples is < 1 or > 1_000_000)
        {
            throw new ArgumentException("max batch samples must be from 1 to 1,000,000.");
        }

        if (MaxInFlight is < 1 or > 64)
        {
            throw new ArgumentException("max in-flight requests must be from 1 to 64.");
        }

        if (RequestTimeout <= TimeSpan.Zero || MaxRetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException("timeouts must be positive.");
        }

        if (MaxProbeInterval < DeliveryPolicy.FirstBreak || MaxProbeInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("the longest probe interval must be from 0.5 s to 1 hour.");
        }

        ArgumentNullException.ThrowIfNull(Backlog);
        Backlog.Validate();
    }

    /// <summary>The write endpoint, with the query string each kind expects (precision is always ns).</summary>
    public Uri WriteUri()
    {
        static string E(string? s) => Uri.EscapeDataString(s ?? string.Empty);
        var relative = Kind switch
        {
            DatacenterKind.InfluxDb1 => $"write?db={E(Database)}&precision=ns",
            DatacenterKind.InfluxDb2 => $"api/v2/write?org={E(Org)}&bucket={E(Bucket)}&precision=ns",
            DatacenterKind.TelemetryIngest => $"api/v2/write?bucket={E(Bucket ?? "telemetry")}&precision=ns",
            _ => Database is null ? "write?precision=ns" : $"write?db={E(Database)}&precision=ns",
        };
        var baseUri = BaseUri.AbsoluteUri.EndsWith('/') ? BaseUri : new Uri(BaseUri.AbsoluteUri + "/");
        return new Uri(baseUri, relative);
    }
}
