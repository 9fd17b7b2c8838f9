using System.Net;
using System.Text.RegularExpressions;

namespace Telemetry.Ingest.Configuration;

/// <summary>
/// Everything the ingest service runs with. Immutable; <see cref="Validate"/> runs when the server is built
/// (the YAML loader also reports file:line:column for what it reads). Build it in code for tests or load it
/// with <see cref="IngestConfigLoader"/>.
/// </summary>
public sealed record IngestOptions
{
    /// <summary>Where Kestrel listens: http://127.0.0.1:0 picks a free port (read it from IngestServer.BaseAddress).</summary>
    public IReadOnlyList<Uri> Listen { get; init; } = [new Uri("http://127.0.0.1:8086")];

    /// <summary>Plain HTTP on an address other than loopback is refused unless this is true.</summary>
    public bool AllowInsecureHttp { get; init; }

    public TlsOptions? Tls { get; init; }

    public WriteLimits Limits { get; init; } = new();

    public StoreOptions Store { get; init; } = new();

    public IReadOnlyList<SiteOptions> Sites { get; init; } = [];

    /// <summary>Datacenter operators: their tokens read every site (live, machines, history) but cannot write.</summary>
    public IReadOnlyList<OperatorOptions> Operators { get; init; } = [];

    public LiveOptions Live { get; init; } = new();

    public LossOptions Loss { get; init; } = new();

    public HealthOptions Health { get; init; } = new();

    /// <summary>People who sign in to the dashboard (a site's team, or operators for every site); PBKDF2 hashes only.</summary>
    public IReadOnlyList<Auth.UserOptions> Users { get; init; } = [];

    public Auth.SignInOptions SignIn { get; init; } = new();

    /// <summary>Throws <see cref="IngestConfigException"/> naming the key for the first invalid value.</summary>
    public void Validate()
    {
        if (Listen.Count == 0)
        {
            throw Invalid("listen", "at least one address is needed, e.g. https://0.0.0.0:8443.");
        }

        foreach (var uri in Listen)
        {
            if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/")
            {
                throw Invalid("listen", $"'{uri}' is not an address; expected http://127.0.0.1:8086 or https://0.0.0.0:8443.");
            }

            if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && uri.Host != "localhost")
            {
                throw Invalid("listen", $"'{uri}': use an IP address (0.0.0.0, 127.0.0.1, [::]) or localhost.");
            }

            var loopback = uri.Host == "localhost" || (address is not null && IPAddress.IsLoopback(address));
            if (uri.Scheme == Uri.UriSchemeHttp && !loopback && !AllowInsecureHttp)
            {
                throw Invalid("listen", $"'{uri}' serves plain HTTP beyond this host; use https:// with tls.certificate, or set allowInsecureHttp: true.");
            }

            if (uri.Scheme == Uri.UriSchemeHttps && Tls is null)
            {
                throw Invalid("tls", $"'{uri}' is https but no tls.certificate is configured.");
            }
        }

        Tls?.Validate();
        Limits.Validate();
        Store.Validate();
        Live.Validate();
        Loss.Validate();
        Health.Validate();
        SignIn.Validate();
        Auth.SignInOptions.ValidateUsers(Users, Sites);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Sites.Count; i++)
        {
            var site = Sites[i];
            site.Validate($"sites[{i}]");
            if (!names.Add(site.Name))
            {
                throw Invalid($"sites[{i}].name", $"site '{site.Name}' is configured twice.");
            }

            foreach (var hash in site.TokenHashes)
            {
                if (!hashes.Add(hash))
                {
                    throw Invalid($"sites[{i}].tokens", "a token hash belongs to two sites; a token must belong to one site.");
                }
            }
        }
    }

    internal static IngestConfigException Invalid(string key, string problem) => new($"{key}: {problem}");
}

/// <summary>HTTPS: a PKCS#12 file, or a PEM certificate with its key; optional client certificates (mutual TLS).</summary>
public sealed record TlsOptions
{
    /// <summary>A .pfx/.p12 file, or a PEM certificate (then <see cref="KeyPath"/> names the PEM key).</summary>
    public required string CertificatePath { get; init; }

    public string? KeyPath { get; init; }

    public string? Password { get; init; }

    public ClientCertificateMode ClientCertificates { get; init; } = ClientCertificateMode.None;

    /// <summary>PEM file of the CA(s) client certificates must chain to (required unless client certificates are off).</summary>
    public string? ClientCaPath { get; init; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            throw IngestOptions.Invalid("tls.certificate", "a certificate file is needed.");
        }

        if (ClientCertificates != ClientCertificateMode.None && string.IsNullOrWhiteSpace(ClientCaPath))
        {
            throw IngestOptions.Invalid("tls.clientCa", "client certificates need the CA file they must chain to.");
        }
    }
}

public enum ClientCertificateMode
{
    None,
    Allow,
    Require,
}

/// <summary>What one write request may carry. Exceeding a byte limit answers 413 (the edge splits the batch).</summary>
public sealed record WriteLimits
{
    /// <summary>Bytes of the request body as sent (gzip or not). Default 32 MiB.</summary>
    public long MaxBodyBytes { get; init; } = 32L << 20;

    /// <summary>Bytes of line protocol after gunzip. Default 128 MiB.</summary>
    public long MaxDecompressedBytes { get; init; } = 128L << 20;

    /// <summary>Bytes of one line (InfluxDB has no limit; ours bounds memory). Default 1 MiB.</summary>
    public int MaxLineBytes { get; init; } = 1 << 20;

    public void Validate()
    {
        if (MaxBodyBytes is < 1024 or > (1L << 30))
        {
            throw IngestOptions.Invalid("limits.maxBody", "must be from 1KiB to 1GiB.");
        }

        if (MaxDecompressedBytes < MaxBodyBytes || MaxDecompressedBytes > (2L << 30) - 1)
        {
            throw IngestOptions.Invalid("limits.maxDecompressed", "must be at least limits.maxBody and below 2GiB.");
        }

        if (MaxLineBytes < 64 || MaxLineBytes > MaxDecompressedBytes)
        {
            throw IngestOptions.Invalid("limits.maxLine", "must be from 64 bytes to limits.maxDecompressed.");
        }
    }
}

public enum StoreKind
{
    /// <summary>Accepts everything and stores nothing (benchmarks, dry runs).</summary>
    Null,
    InfluxDb1,
    InfluxDb2,
    VictoriaMetrics,
}

/// <summary>The time-series store every accepted point goes to.</summary>
public sealed record StoreOptions
{
    public StoreKind Kind { get; init; } = StoreKind.Null;

    public Uri? Url { get; init; }

    /// <summary>InfluxDB 1.x database (must exist).</summary>
    public string? Database { get; init; }

    /// <summary>InfluxDB 1.x retention policy (optional).</summary>
    public string? RetentionPolicy { get; init; }

    public string? Org { get; init; }

    public string? Bucket { get; init; }

    /// <summary>InfluxDB 2/3 token, or InfluxDB 1.x password with <see cref="Username"/>.</summary>
    public string? Token { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Compress writes to the store (costs ingest CPU; helps on a slow link).</summary>
    public bool Gzip { get; init; }

    /// <summary>One attempt's time limit.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>All attempts of one write together; past it the edge gets 503 and retries.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public int RetryAttempts { get; init; } = 3;

    /// <summary>Store writes running at once.</summary>
    public int MaxConcurrentWrites { get; init; } = 8;

    /// <summary>Writes waiting for a slot; one more answers 429 (saturated) with Retry-After.</summary>
    public int MaxQueuedWrites { get; init; } = 64;

    /// <summary>Consecutive failures after which the store counts as down (503 at once) for <see cref="BreakDuration"/>.</summary>
    public int BreakAfterFailures { get; init; } = 5;

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (Kind != StoreKind.Null && (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps)))
        {
            throw IngestOptions.Invalid("store.url", "an absolute http:// or https:// URL of the store is needed.");
        }

        if (Kind == StoreKind.InfluxDb1 && string.IsNullOrWhiteSpace(Database))
        {
            throw IngestOptions.Invalid("store.database", "InfluxDB 1.x needs the database to write to.");
        }

        if (Kind == StoreKind.InfluxDb2 && (string.IsNullOrWhiteSpace(Org) || string.IsNullOrWhiteSpace(Bucket)))
        {
            throw IngestOptions.Invalid("store.bucket", "InfluxDB 2/3 needs org and bucket.");
        }

        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout < AttemptTimeout)
        {
            throw IngestOptions.Invalid("store.timeout", "the attempt timeout must be positive and at most the total timeout.");
        }

        if (RetryAttempts is < 0 or > 10)
        {
            throw IngestOptions.Invalid("store.retries", "must be from 0 to 10.");
        }

        if (MaxConcurrentWrites is < 1 or > 256 || MaxQueuedWrites is < 0 or > 100_000)
        {
            throw IngestOptions.Invalid("store.maxConcurrentWrites", "concurrent writes 1..256, queued writes 0..100000.");
        }

        if (BreakAfterFailures is < 1 or > 1000 || BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            throw IngestOptions.Invalid("store.breakAfterFailures", "break after 1..1000 failures, for at least 500ms.");
        }
    }
}

/// <summary>A site (one SME plant): its name is the `site` tag of all its points; tokens stored as SHA-256 hex.</summary>
public sealed partial record SiteOptions
{
    public required string Name { get; init; }

    public IReadOnlyList<string> TokenHashes { get; init; } = [];

    public void Validate(string key)
    {
        if (!IsValidName(Name))
        {
            throw IngestOptions.Invalid($"{key}.name", $"'{Name}' is not a valid site name; use letters, digits, '-', '_' or '.' (at most 64).");
        }

        foreach (var hash in TokenHashes)
        {
            if (!HashPattern().IsMatch(hash))
            {
                throw IngestOptions.Invalid($"{key}.tokens", $"'{hash}' is not a SHA-256 hex hash (64 hex digits); add tokens with telemetry-ingest add-site.");
            }
        }
    }

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HashPattern();
}

/// <summary>A datacenter operator (sees all sites); tokens stored as SHA-256 hex like a site's.</summary>
public sealed record OperatorOptions
{
    public required string Name { get; init; }

    public IReadOnlyList<string> TokenHashes { get; init; } = [];
}

/// <summary>The live hub: a bounded queue per subscriber (batches), drops counted and reported.</summary>
public sealed record LiveOptions
{
    /// <summary>Batches queued per subscriber before the oldest are dropped.</summary>
    public int QueueBatches { get; init; } = 256;

    /// <summary>Samples queued per subscriber (all its batches together) before the oldest batches are dropped: bounds memory (~56 B a sample).</summary>
    public int QueueSamples { get; init; } = 100_000;

    public int MaxSubscribers { get; init; } = 1000;

    /// <summary>A live stream with nothing to send writes a heartbeat this often (SSE comment, WebSocket ping).</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    public void Validate()
    {
        if (QueueBatches is < 1 or > 100_000 || MaxSubscribers is < 1 or > 100_000)
        {
            throw IngestOptions.Invalid("live.queueBatches", "queue 1..100000 batches, 1..100000 subscribers.");
        }

        if (QueueSamples is < 1 or > 100_000_000)
        {
            throw IngestOptions.Invalid("live.queueSamples", "must be from 1 to 100000000.");
        }

        if (Heartbeat < TimeSpan.FromMilliseconds(10) || Heartbeat > TimeSpan.FromMinutes(10))
        {
            throw IngestOptions.Invalid("live.heartbeat", "must be from 10ms to 10m.");
        }
    }
}

/// <summary>Loss accounting of the edges' spool ranges.</summary>
public sealed record LossOptions
{
    /// <summary>A hole in an edge's ranges counts as loss once it stayed open this long (the backlog may still come).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Disjoint ranges kept per edge; beyond it the oldest holes are reported and forgotten.</summary>
    public int MaxRangesPerEdge { get; init; } = 10_000;

    public void Validate()
    {
        if (Grace < TimeSpan.Zero || MaxRangesPerEdge is < 2 or > 1_000_000)
        {
            throw IngestOptions.Invalid("loss.grace", "grace must not be negative; maxRangesPerEdge 2..1000000.");
        }
    }
}

/// <summary>Real-time machine health: the state tag and alert rules.</summary>
public sealed record HealthOptions
{
    /// <summary>The field (edge tag) whose string value is a machine's state (running/idle/setup/fault/off); null: from rules only.</summary>
    public string? StateField { get; init; } = "state";

    /// <summary>The field (edge tag) whose integer value is a machine's active alarm code (0 = none).</summary>
    public string AlarmField { get; init; } = "alarm_code";

    /// <summary>A machine with no data for this long is shown stale.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Ended alerts kept for `GET /api/alerts?state=all` (oldest forgotten first).</summary>
    public int AlertHistory { get; init; } = 1000;

    /// <summary>Series (machine + tag) tracked at most; samples of further new series are not tracked (counted): bounds memory.</summary>
    public int MaxSeries { get; init; } = 1_000_000;

    public IReadOnlyList<AlertRuleOptions> Rules { get; init; } = [];

    public void Validate()
    {
        if (StaleAfter <= TimeSpan.Zero)
        {
            throw IngestOptions.Invalid("health.staleAfter", "must be positive.");
        }

        if (string.IsNullOrWhiteSpace(AlarmField) || (StateField is not null && string.IsNullOrWhiteSpace(StateField)))
        {
            throw IngestOptions.Invalid("health.stateField", "the state and alarm fields must not be empty.");
        }

        if (AlertHistory is < 0 or > 1_000_000)
        {
            throw IngestOptions.Invalid("health.alertHistory", "must be from 0 to 1000000.");
        }

        if (MaxSeries is < 1 or > 100_000_000)
        {
            throw IngestOptions.Invalid("health.maxSeries", "must be from 1 to 100000000.");
        }

        for (var i = 0; i < Rules.Count; i++)
        {
            Rules[i].Validate($"health.rules[{i}]");
        }
    }
}

public enum AlertRuleKind
{
    /// <summary>Value above <c>Above</c> (clears below <c>Above - Hysteresis</c>) or below <c>Below</c> (clears above <c>Below + Hysteresis</c>).</summary>
    Threshold,

    /// <summary>No sample of the field for <c>NoDataFor</c>.</summary>
    NoData,

    /// <summary>|Δvalue/Δt| above <c>RatePerSecond</c>.</summary>
    RateOfChange,
}

public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

public sealed record AlertRuleOptions
{
    public required string Name { get; init; }

    public AlertRuleKind Kind { get; init; }

    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;

    /// <summary>Text shown with the alert (the measured value and limit are appended); default names the rule.</summary>
    public string? Message { get; init; }

    /// <summary>While this rule's alert is active the machine's state shows this (e.g. "fault"), over the state field.</summary>
    public string? State { get; init; }

    /// <summary>Machine name pattern (* and ?), default all.</summary>
    public string Machine { get; init; } = "*";

    /// <summary>Field (edge tag) name pattern.</summary>
    public required string Field { get; init; }

    public double? Above { get; init; }

    public double? Below { get; init; }

    public double Hysteresis { get; init; }

    public TimeSpan NoDataFor { get; init; } = TimeSpan.FromSeconds(60);

    public double RatePerSecond { get; init; }

    public void Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(Name) || string.IsNullOrWhiteSpace(Field))
        {
            throw IngestOptions.Invalid(key, "a rule needs a name and a field.");
        }

        var ok = Kind switch
        {
            AlertRuleKind.Threshold => (Above is not null || Below is not null) && Hysteresis >= 0,
            AlertRuleKind.NoData => NoDataFor > TimeSpan.Zero,
            _ => RatePerSecond > 0,
        };
        if (!ok)
        {
            throw IngestOptions.Invalid(key, Kind switch
            {
                AlertRuleKind.Threshold => "a threshold rule needs above and/or below, and a hysteresis >= 0.",
                AlertRuleKind.NoData => "a no-data rule needs a positive noDataFor.",
                _ => "a rate-of-change rule needs a positive ratePerSecond.",
            });
        }
    }
}
