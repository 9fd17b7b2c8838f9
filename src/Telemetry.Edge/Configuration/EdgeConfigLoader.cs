using System.Net;
using Microsoft.Extensions.Logging;
using Telemetry.Edge.Forwarding;
using Telemetry.Edge.OpcUa;
using Telemetry.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Telemetry.Edge.Configuration;

/// <summary>
/// Reads edge.yaml into an <see cref="EdgeConfig"/>. Every problem is a <see cref="ConfigException"/> naming the
/// file, line, column and key: unknown keys, wrong types, bad URLs, duplicate machines, missing secrets.
/// </summary>
public static class EdgeConfigLoader
{
    private static readonly Dictionary<string, SpoolFullPolicy> FullPolicies = new(StringComparer.Ordinal)
    {
        ["drop-oldest"] = SpoolFullPolicy.DropOldest,
        ["reject-new"] = SpoolFullPolicy.RejectNew,
    };

    private static readonly Dictionary<string, DatacenterKind> Kinds = new(StringComparer.Ordinal)
    {
        ["telemetry-ingest"] = DatacenterKind.TelemetryIngest,
        ["influxdb1"] = DatacenterKind.InfluxDb1,
        ["influxdb2"] = DatacenterKind.InfluxDb2,
        ["victoriametrics"] = DatacenterKind.VictoriaMetrics,
    };

    private static readonly Dictionary<string, LogFormat> LogFormats = new(StringComparer.Ordinal)
    {
        ["auto"] = LogFormat.Auto,
        ["text"] = LogFormat.Text,
        ["json"] = LogFormat.Json,
        ["systemd"] = LogFormat.Systemd,
    };

    private static readonly Dictionary<string, LogLevel> LogLevels = new(StringComparer.Ordinal)
    {
        ["debug"] = LogLevel.Debug,
        ["information"] = LogLevel.Information,
        ["warning"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
    };

    public static EdgeConfig LoadFile(string path, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"{path}: no such file. Write a commented example with `telemetry-edge init --config {path}`.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read it: {ex.Message}");
        }

        return Parse(text, path, environment);
    }

    public static EdgeConfig Parse(string yaml, string file, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{file}:{ex.Start.Line}:{ex.Start.Column}: this is not valid YAML: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet reports some broken documents without a position.
            throw new ConfigException($"{file}: this is not valid YAML ({ex.Message}); check the indentation and brackets.");
        }

        if (stream.Documents.Count == 0)
        {
            throw new ConfigException($"{file}: the file is empty. Write a commented example with `telemetry-edge init`.");
        }

        var root = new ConfigNode(file, string.Empty, stream.Documents[0].RootNode);
        var edge = root.Required("edge", "a section with id, site and data_dir");
        var edgeId = edge.Required("id", "this agent's id, e.g. plant-a-edge-1").Name();
        var site = edge.Required("site", "the site (factory) name, e.g. plant-a").Name();
        var dataDir = edge.Optional("data_dir")?.NonEmptyString("a folder for the spool") ?? "/var/lib/telemetry-edge";
        edge.EnsureNoUnknownKeys();

        var listen = new IPEndPoint(IPAddress.Loopback, 8080);
        if (root.Optional("web") is { } web)
        {
            if (web.Optional("listen") is { } listenNode)
            {
                listen = IPEndPoint.TryParse(listenNode.String(), out var endpoint) && endpoint.Port != 0
                    ? endpoint
                    : throw listenNode.Error($"'{listenNode.String()}' is not an address:port such as 127.0.0.1:8080 or 0.0.0.0:8080.");
            }

            web.EnsureNoUnknownKeys();
        }

        var spool = new SpoolSettings(null, SpoolFullPolicy.DropOldest, SpoolOptions.DefaultSegmentBytes);
        if (root.Optional("spool") is { } spoolNode)
        {
            spool = new SpoolSettings(
                spoolNode.Optional("max_disk")?.Size(64L << 20, 1L << 50),
                spoolNode.Optional("when_full")?.OneOf(FullPolicies) ?? SpoolFullPolicy.DropOldest,
                spoolNode.Optional("segment_size")?.Size(1L << 20, 1L << 30) ?? SpoolOptions.DefaultSegmentBytes);
            spoolNode.EnsureNoUnknownKeys();
        }

        var log = new LogSettings(LogFormat.Auto, LogLevel.Information);
        if (root.Optional("log") is { } logNode)
        {
            log = new LogSettings(
                logNode.Optional("format")?.OneOf(LogFormats) ?? LogFormat.Auto,
                logNode.Optional("level")?.OneOf(LogLevels) ?? LogLevel.Information);
            logNode.EnsureNoUnknownKeys();
        }

        var datacenter = root.Optional("datacenter") is { } dc ? ParseDatacenter(dc, edgeId, dataDir, environment) : null;

        var opcua = OpcUaSecurityConfigParser.ParseClient(root.Optional("opcua"), edgeId, dataDir);
        var sources = new List<SourceConfig>();
        var sourceNames = new HashSet<string>(StringComparer.Ordinal);
        var machines = new Dictionary<string, ConfigLocation>(StringComparer.Ordinal);
        foreach (var item in root.Required("sources", "a list of sources (simulator, opcua, mqtt)").Items())
        {
            var source = ParseSource(item, machines, edgeId, site, environment, opcua);
            if (!sourceNames.Add(source.Name))
            {
                throw source.Location.Error($"a source named '{source.Name}' is already defined.");
            }

            sources.Add(source);
        }

        root.EnsureNoUnknownKeys();
        return new EdgeConfig
        {
            EdgeId = edgeId,
            Site = site,
            DataDirectory = dataDir,
            WebListen = listen,
            Spool = spool,
            Datacenter = datacenter,
            Sources = sources,
            Log = log,
            OpcUa = opcua,
        };
    }

    private static DatacenterOptions ParseDatacenter(ConfigNode dc, string edgeId, string dataDir, Func<string, string?> environment)
    {
        var kind = dc.Required("kind", "telemetry-ingest, influxdb1, influxdb2 or victoriametrics").OneOf(Kinds);
        var url = dc.Required("url", "the datacenter's base URL").Url("http", "https");
        var options = new DatacenterOptions
        {
            Kind = kind,
            BaseUri = url,
            EdgeId = edgeId,
            Token = dc.Optional("token")?.Secret(environment),
            Username = dc.Optional("username")?.NonEmptyString("a user name"),
            Password = dc.Optional("password")?.Secret(environment),
            Database = dc.Optional("database")?.NonEmptyString("a database name"),
            Org = dc.Optional("org")?.NonEmptyString("an organisation"),
            Bucket = dc.Optional("bucket")?.NonEmptyString("a bucket"),
            Gzip = dc.Optional("gzip")?.Bool() ?? true,
            MaxBatchSamples = dc.Optional("batch_samples")?.Int(1, 1_000_000) ?? 5000,
            MaxInFlight = dc.Optional("max_in_flight")?.Int(1, 64) ?? 4,
            RequestTimeout = dc.Optional("timeout")?.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)) ?? TimeSpan.FromSeconds(30),
            MaxProbeInterval = dc.Optional("max_probe_interval")?.Duration(DeliveryPolicy.FirstBreak, TimeSpan.FromHours(1)) ?? TimeSpan.FromSeconds(5),
            Backlog = dc.Optional("backlog") is { } backlog ? ParseBacklog(backlog) : new BacklogOptions(),
            QuarantineDirectory = Path.Combine(dataDir, "quarantine"),
            Tls = dc.Optional("tls") is { } tls ? ParseTls(tls) : null,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw dc.Error(ex.Message);
        }

        dc.EnsureNoUnknownKeys();
        return options;
    }

    /// <summary>datacenter.backlog: live first after an outage, and the backlog's rate caps.</summary>
    private static BacklogOptions ParseBacklog(ConfigNode backlog)
    {
        var options = new BacklogOptions
        {
            LiveFirst = backlog.Optional("live_first")?.Bool() ?? true,
            Lag = backlog.Optional("lag")?.Duration(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)) ?? TimeSpan.FromSeconds(3),
            MaxSamplesPerSecond = backlog.Optional("max_samples_per_second")?.Int(1, 100_000_000),
            MaxBytesPerSecond = backlog.Optional("max_bytes_per_second")?.Size(1024, 1L << 40),
        };
        backlog.EnsureNoUnknownKeys();
        if (!options.LiveFirst && (options.MaxSamplesPerSecond is not null || options.MaxBytesPerSecond is not null))
        {
            // with one lane the backlog is simply the stream: a cap on it would hold back fresh samples too
            throw backlog.Error("max_samples_per_second and max_bytes_per_second cap the backlog lane of live_first: true; remove them or set live_first: true.");
        }

        return options;
    }

    private static DatacenterTlsOptions ParseTls(ConfigNode tls)
    {
        var options = new DatacenterTlsOptions
        {
            CaFile = tls.Optional("ca")?.NonEmptyString("a PEM file of the datacenter's CA"),
            ClientCertificateFile = tls.Optional("client_cert")?.NonEmptyString("a PEM client certificate"),
            ClientKeyFile = tls.Optional("client_key")?.NonEmptyString("the PEM key of the client certificate"),
        };
        tls.EnsureNoUnknownKeys();
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw tls.Error(ex.Message);
        }

        return options;
    }

    private static SourceConfig ParseSource(ConfigNode item, Dictionary<string, ConfigLocation> machines, string edgeId, string site, Func<string, string?> environment, OpcUaClientSettings opcua)
    {
        var name = item.Required("name", "a name for this source").Name();
        var typeNode = item.Required("type", "simulator, opcua or mqtt");
        var location = new ConfigLocation(item.File, item.Line, item.Column, item.Path);
        var type = typeNode.String();
        SourceConfig source = type switch
        {
            "simulator" => ParseSimulator(item, name, location, machines),
            "mqtt" => MqttSourceConfigParser.Parse(item, name, location, edgeId, site, environment),
            "mqtt-broker" => MqttSourceConfigParser.ParseBroker(item, name, location, site),
            "opcua" => OpcUaSourceConfigParser.Parse(item, name, location, site, environment, opcua),
            _ => throw typeNode.Error($"'{type}' is not a source type; expected simulator, opcua, mqtt or mqtt-broker."),
        };
        item.EnsureNoUnknownKeys();
        return source;
    }

    private static SimulatorSourceConfig ParseSimulator(ConfigNode item, string name, ConfigLocation location, Dictionary<string, ConfigLocation> machines)
    {
        var interval = item.Optional("interval")?.Duration(TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? TimeSpan.FromSeconds(1);
        var speed = item.Optional("speed")?.Double(0.01, 1000) ?? 1;
        var seed = item.Optional("seed")?.Int(0, int.MaxValue) ?? 42;
        var list = new List<SimulatedMachineConfig>();
        foreach (var m in item.Required("machines", "a list of { name, profile, area, line }").Items())
        {
            var nameNode = m.Required("name", "the machine's name, e.g. cnc-01");
            var machineName = nameNode.Name();
            var profileNode = m.Required("profile", "a machine profile such as cnc-mill");
            var profile = profileNode.NonEmptyString("a machine profile");
            var area = m.Optional("area")?.Name() ?? string.Empty;
            var line = m.Optional("line")?.Name() ?? string.Empty;
            m.EnsureNoUnknownKeys();
            if (machines.TryGetValue(machineName, out var first))
            {
                throw nameNode.Error($"machine '{machineName}' is already defined at line {first.Line}.");
            }

            machines[machineName] = new ConfigLocation(nameNode.File, nameNode.Line, nameNode.Column, nameNode.Path);
            list.Add(new SimulatedMachineConfig(machineName, profile, area, line,
                new ConfigLocation(profileNode.File, profileNode.Line, profileNode.Column, profileNode.Path)));
        }

        if (list.Count == 0)
        {
            throw item.Error("machines: the list is empty; a simulator needs at least one machine.");
        }

        return new SimulatorSourceConfig(name, location, interval, speed, seed, list);
    }
}
