using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Telemetry.Ingest.Configuration;

/// <summary>
/// Reads the service's YAML file into validated <see cref="IngestOptions"/>. Unknown keys, bad values and
/// inline secrets are refused with file:line:column and the key. Relative paths are relative to the file.
/// <code>
/// listen: [https://0.0.0.0:8443]           # http:// only on loopback unless allowInsecureHttp: true
/// tls: { certificate: ingest.pfx, password: { env: INGEST_PFX_PASSWORD }, clientCertificates: none, clientCa: ca.pem }
/// limits: { maxBody: 32MiB, maxDecompressed: 128MiB, maxLine: 1MiB }
/// store: { kind: influxdb1, url: http://127.0.0.1:8086, database: telemetry, timeout: 10s, retries: 3 }
/// sites:
///   - name: plant-a
///     tokens: [ 64-hex-digit SHA-256 of the token ]  # telemetry-ingest add-site plant-a --config FILE
/// live: { queueBatches: 256, queueSamples: 100000, maxSubscribers: 1000, heartbeat: 15s }
/// loss: { grace: 10m }
/// health: { stateField: state, alarmField: alarm_code, staleAfter: 30s, alertHistory: 1000, maxSeries: 1000000,
///           rules: [ { name: hot, kind: threshold, field: temperature, above: 80, hysteresis: 2, severity: critical, message: "Oven too hot", state: fault } ] }
/// </code>
/// </summary>
public static class IngestConfigLoader
{
    private static readonly Dictionary<string, StoreKind> StoreKinds = new(StringComparer.Ordinal)
    {
        ["null"] = StoreKind.Null,
        // YAML reads a plain `null` as no value at all: `none` says the same without quotes.
        ["none"] = StoreKind.Null,
        ["influxdb1"] = StoreKind.InfluxDb1,
        ["influxdb2"] = StoreKind.InfluxDb2,
        ["influxdb3"] = StoreKind.InfluxDb2,
        ["victoriametrics"] = StoreKind.VictoriaMetrics,
    };

    private static readonly Dictionary<string, ClientCertificateMode> ClientModes = new(StringComparer.Ordinal)
    {
        ["none"] = ClientCertificateMode.None,
        ["allow"] = ClientCertificateMode.Allow,
        ["require"] = ClientCertificateMode.Require,
    };

    private static readonly Dictionary<string, AlertRuleKind> RuleKinds = new(StringComparer.Ordinal)
    {
        ["threshold"] = AlertRuleKind.Threshold,
        ["nodata"] = AlertRuleKind.NoData,
        ["rate"] = AlertRuleKind.RateOfChange,
    };

    private static readonly Dictionary<string, AlertSeverity> Severities = new(StringComparer.Ordinal)
    {
        ["info"] = AlertSeverity.Info,
        ["warning"] = AlertSeverity.Warning,
        ["critical"] = AlertSeverity.Critical,
    };

    public static IngestOptions LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IngestConfigException($"{path}: cannot read the configuration: {ex.Message}", ex);
        }

        return Load(text, path);
    }

    public static IngestOptions Load(string yaml, string file)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new IngestConfigException(file, (int)ex.Start.Line, (int)ex.Start.Column, string.Empty, $"not valid YAML: {ex.Message}");
        }

        if (stream.Documents.Count == 0)
        {
            throw new IngestConfigException($"{file}: the file is empty.");
        }

        var root = new YamlValue(file, string.Empty, stream.Documents[0].RootNode);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        var defaults = new IngestOptions();
        var options = new IngestOptions
        {
            Listen = root.Optional("listen") is { } listen ? ReadListen(listen) : defaults.Listen,
            AllowInsecureHttp = root.Optional("allowInsecureHttp")?.Bool() ?? false,
            Tls = root.Optional("tls") is { } tls ? ReadTls(tls, baseDir) : null,
            Limits = root.Optional("limits") is { } limits ? ReadLimits(limits) : defaults.Limits,
            Store = root.Optional("store") is { } store ? ReadStore(store) : defaults.Store,
            Sites = root.Optional("sites") is { } sites ? ReadSites(sites) : [],
            Operators = root.Optional("operators") is { } operators
                ? [.. ReadSites(operators).Select(o => new OperatorOptions { Name = o.Name, TokenHashes = o.TokenHashes })]
                : [],
            Live = root.Optional("live") is { } live ? ReadLive(live) : defaults.Live,
            Loss = root.Optional("loss") is { } loss ? ReadLoss(loss) : defaults.Loss,
            Health = root.Optional("health") is { } health ? ReadHealth(health) : defaults.Health,
            Users = root.Optional("users") is { } users ? Auth.UserConfigReader.ReadUsers(users) : [],
            SignIn = root.Optional("signIn") is { } signIn ? Auth.UserConfigReader.ReadSignIn(signIn) : defaults.SignIn,
        };
        root.RefuseUnknownKeys();
        try
        {
            options.Validate();
        }
        catch (IngestConfigException ex)
        {
            throw new IngestConfigException($"{file}: {ex.Message}", ex);
        }

        return options;
    }

    private static List<Uri> ReadListen(YamlValue node)
    {
        var items = node.Items();
        var list = new List<Uri>(items.Count);
        foreach (var item in items)
        {
            list.Add(item.Url());
        }

        return list;
    }

    private static TlsOptions ReadTls(YamlValue node, string baseDir)
    {
        var tls = new TlsOptions
        {
            CertificatePath = Path.Combine(baseDir, node.Required("certificate", "a .pfx or PEM certificate file").NonEmpty("a file")),
            KeyPath = node.Optional("key") is { } key ? Path.Combine(baseDir, key.NonEmpty("a PEM key file")) : null,
            Password = node.Optional("password")?.Secret(),
            ClientCertificates = node.Optional("clientCertificates")?.OneOf(ClientModes) ?? ClientCertificateMode.None,
            ClientCaPath = node.Optional("clientCa") is { } ca ? Path.Combine(baseDir, ca.NonEmpty("a PEM CA file")) : null,
        };
        node.RefuseUnknownKeys();
        return tls;
    }

    private static WriteLimits ReadLimits(YamlValue node)
    {
        var d = new WriteLimits();
        var limits = new WriteLimits
        {
            MaxBodyBytes = node.Optional("maxBody")?.Size() ?? d.MaxBodyBytes,
            MaxDecompressedBytes = node.Optional("maxDecompressed")?.Size() ?? d.MaxDecompressedBytes,
            MaxLineBytes = node.Optional("maxLine") is { } line ? (int)Math.Min(line.Size(), int.MaxValue) : d.MaxLineBytes,
        };
        node.RefuseUnknownKeys();
        return limits;
    }

    private static StoreOptions ReadStore(YamlValue node)
    {
        var d = new StoreOptions();
        var store = new StoreOptions
        {
            Kind = node.Required("kind", "influxdb1, influxdb2, influxdb3, victoriametrics or none (stores nothing)").OneOf(StoreKinds),
            Url = node.Optional("url")?.Url(),
            Database = node.Optional("database")?.NonEmpty("a database name"),
            RetentionPolicy = node.Optional("retentionPolicy")?.NonEmpty("a retention policy"),
            Org = node.Optional("org")?.NonEmpty("an org"),
            Bucket = node.Optional("bucket")?.NonEmpty("a bucket"),
            Token = node.Optional("token")?.Secret(),
            Username = node.Optional("username")?.NonEmpty("a user name"),
            Password = node.Optional("password")?.Secret(),
            Gzip = node.Optional("gzip")?.Bool() ?? d.Gzip,
            AttemptTimeout = node.Optional("timeout")?.Duration() ?? d.AttemptTimeout,
            TotalTimeout = node.Optional("totalTimeout")?.Duration() ?? d.TotalTimeout,
            RetryAttempts = node.Optional("retries")?.Int(0, 10) ?? d.RetryAttempts,
            MaxConcurrentWrites = node.Optional("maxConcurrentWrites")?.Int(1, 256) ?? d.MaxConcurrentWrites,
            MaxQueuedWrites = node.Optional("maxQueuedWrites")?.Int(0, 100_000) ?? d.MaxQueuedWrites,
            BreakAfterFailures = node.Optional("breakAfterFailures")?.Int(1, 1000) ?? d.BreakAfterFailures,
            BreakDuration = node.Optional("breakDuration")?.Duration() ?? d.BreakDuration,
        };
        node.RefuseUnknownKeys();
        try
        {
            store.Validate();
        }
        catch (IngestConfigException ex)
        {
            throw node.Error(ex.Message);
        }

        return store;
    }

    private static List<SiteOptions> ReadSites(YamlValue node)
    {
        var sites = new List<SiteOptions>();
        foreach (var item in node.Items())
        {
            var nameNode = item.Required("name", "the site's name (its points' site tag)");
            var name = nameNode.NonEmpty("a site name");
            if (!SiteOptions.IsValidName(name))
            {
                throw nameNode.Error($"'{name}' is not a valid site name; use letters, digits, '-', '_' or '.' (at most 64).");
            }

            var hashes = new List<string>();
            if (item.Optional("tokens") is { } tokens)
            {
                foreach (var token in tokens.Items())
                {
                    var hash = token.NonEmpty("a SHA-256 hex token hash");
                    var site = new SiteOptions { Name = name, TokenHashes = [hash] };
                    try
                    {
                        site.Validate(token.Path);
                    }
                    catch (IngestConfigException)
                    {
                        throw token.Error($"'{hash}' is not a SHA-256 hex hash (64 hex digits); the file keeps hashes, never tokens (telemetry-ingest add-site prints a new token).");
                    }

                    hashes.Add(hash.ToLowerInvariant());
                }
            }

            item.RefuseUnknownKeys();
            sites.Add(new SiteOptions { Name = name, TokenHashes = hashes });
        }

        return sites;
    }

    private static LiveOptions ReadLive(YamlValue node)
    {
        var d = new LiveOptions();
        var live = new LiveOptions
        {
            QueueBatches = node.Optional("queueBatches")?.Int(1, 100_000) ?? d.QueueBatches,
            QueueSamples = node.Optional("queueSamples")?.Int(1, 100_000_000) ?? d.QueueSamples,
            MaxSubscribers = node.Optional("maxSubscribers")?.Int(1, 100_000) ?? d.MaxSubscribers,
            Heartbeat = node.Optional("heartbeat")?.Duration() ?? d.Heartbeat,
        };
        node.RefuseUnknownKeys();
        try
        {
            live.Validate();
        }
        catch (IngestConfigException ex)
        {
            throw node.Error(ex.Message);
        }

        return live;
    }

    private static LossOptions ReadLoss(YamlValue node)
    {
        var d = new LossOptions();
        var loss = new LossOptions
        {
            Grace = node.Optional("grace")?.Duration() ?? d.Grace,
            MaxRangesPerEdge = node.Optional("maxRangesPerEdge")?.Int(2, 1_000_000) ?? d.MaxRangesPerEdge,
        };
        node.RefuseUnknownKeys();
        return loss;
    }

    private static HealthOptions ReadHealth(YamlValue node)
    {
        var d = new HealthOptions();
        var rules = new List<AlertRuleOptions>();
        if (node.Optional("rules") is { } list)
        {
            foreach (var item in list.Items())
            {
                var rule = new AlertRuleOptions
                {
                    Name = item.Required("name", "a rule name").NonEmpty("a rule name"),
                    Kind = item.Required("kind", "threshold, nodata or rate").OneOf(RuleKinds),
                    Severity = item.Optional("severity")?.OneOf(Severities) ?? AlertSeverity.Warning,
                    Message = item.Optional("message")?.NonEmpty("a message"),
                    State = item.Optional("state")?.NonEmpty("a machine state, e.g. fault"),
                    Machine = item.Optional("machine")?.NonEmpty("a machine pattern") ?? "*",
                    Field = item.Required("field", "the field (tag) the rule watches").NonEmpty("a field pattern"),
                    Above = item.Optional("above")?.Double(),
                    Below = item.Optional("below")?.Double(),
                    Hysteresis = item.Optional("hysteresis")?.Double() ?? 0,
                    NoDataFor = item.Optional("noDataFor")?.Duration() ?? TimeSpan.FromSeconds(60),
                    RatePerSecond = item.Optional("ratePerSecond")?.Double() ?? 0,
                };
                item.RefuseUnknownKeys();
                try
                {
                    rule.Validate(item.Path);
                }
                catch (IngestConfigException ex)
                {
                    throw item.Error(ex.Message);
                }

                rules.Add(rule);
            }
        }

        var health = new HealthOptions
        {
            StateField = node.Optional("stateField")?.NonEmpty("a field name") ?? d.StateField,
            AlarmField = node.Optional("alarmField")?.NonEmpty("a field name") ?? d.AlarmField,
            StaleAfter = node.Optional("staleAfter")?.Duration() ?? d.StaleAfter,
            AlertHistory = node.Optional("alertHistory")?.Int(0, 1_000_000) ?? d.AlertHistory,
            MaxSeries = node.Optional("maxSeries")?.Int(1, 100_000_000) ?? d.MaxSeries,
            Rules = rules,
        };
        node.RefuseUnknownKeys();
        return health;
    }
}
