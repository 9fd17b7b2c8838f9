using System.Globalization;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.Configuration;

/// <summary>`type: opcua` — one PLC: its endpoint, identity, publishing settings and the nodes mapped to machines and tags.</summary>
public sealed record OpcUaSourceConfig(string Name, ConfigLocation Location, OpcUaSourceOptions Options) : SourceConfig(Name, Location)
{
    public override string Type => "opcua";
}

/// <summary>
/// Reads an OPC UA source:
/// <code>
/// - name: press-line-plc
///   type: opcua
///   endpoint: opc.tcp://10.0.0.5:4840
///   security: { mode: SignAndEncrypt, policy: Basic256Sha256 }   # or none (see OpcUaSecurityConfigParser)
///   username: operator                     # optional; anonymous without (or user_certificate: { cert, key })
///   password: { env: PLC_PASSWORD }        # or { file: /etc/telemetry-edge/plc.pass }
///   publishing_interval: 1s
///   sampling_interval: 500ms
///   queue_size: 10
///   deadband: 0.5                          # absolute; "2%" for percent of the EURange; none
///   writer_queue: 100000                   # samples waiting for the spool before Publish is held back (1000..10000000)
///   area: press-shop                       # defaults for the entries below
///   line: line-2
///   machine: press-01
///   nodes:
///     - node: nsu=urn:acme:plc;s=Press1.Force      # by node id WITH namespace URI
///       tag: force                                 # default: the node's browse name
///     - path: Objects/Machines/Press1/Temperature  # by browse path
///     - browse: Objects/Machines/Oven1             # every variable under it
///       depth: 2
///       machine: oven-01
///       sampling_interval: 1s                      # per-entry overrides: sampling_interval, queue_size, deadband
/// </code>
/// </summary>
internal static class OpcUaSourceConfigParser
{
    public static OpcUaSourceConfig Parse(ConfigNode item, string name, ConfigLocation location, string site, Func<string, string?> environment, OpcUaClientSettings client)
    {
        var endpointNode = item.Required("endpoint", "the PLC's OPC UA endpoint, e.g. opc.tcp://10.0.0.5:4840");
        var endpoint = endpointNode.Url("opc.tcp");
        if (endpoint.Host.Length == 0)
        {
            throw endpointNode.Error($"'{endpointNode.String()}' needs a host, e.g. opc.tcp://10.0.0.5:4840.");
        }

        var security = OpcUaSecurityConfigParser.ParseSecurity(item.Optional("security"));
        var identity = OpcUaSecurityConfigParser.ParseIdentity(item, environment);

        var defaults = new EntryDefaults(
            item.Optional("area")?.Name() ?? string.Empty,
            item.Optional("line")?.Name() ?? string.Empty,
            item.Optional("machine")?.Name());
        var publishing = item.Optional("publishing_interval")?.Duration(TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? TimeSpan.FromSeconds(1);
        var sampling = item.Optional("sampling_interval")?.Duration(TimeSpan.Zero, TimeSpan.FromHours(1)) ?? TimeSpan.FromMilliseconds(500);
        var queue = item.Optional("queue_size")?.Int(1, 100_000) ?? 10;
        var deadband = item.Optional("deadband") is { } d ? Deadband(d) : OpcUaDeadband.None;

        var nodes = new List<OpcUaNodeSpec>();
        var explicitTags = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        var nodeList = item.Required("nodes", "a list of { node | path | browse, machine, tag } entries");
        var entries = nodeList.Items();
        if (entries.Count == 0)
        {
            throw nodeList.Error("the list is empty; an OPC UA source needs at least one node, path or browse entry.");
        }

        foreach (var entry in entries)
        {
            nodes.Add(ParseEntry(entry, defaults, explicitTags));
        }

        var options = new OpcUaSourceOptions
        {
            Name = name,
            Site = site,
            EndpointUrl = endpointNode.String().Trim(),
            Security = security,
            PkiPath = client.PkiPath,
            ApplicationUri = client.ApplicationUri,
            ApplicationName = client.ApplicationName,
            Identity = identity,
            PublishingInterval = publishing,
            SamplingInterval = sampling,
            QueueSize = (uint)queue,
            Deadband = deadband,
            Nodes = nodes,
            ConnectTimeout = item.Optional("connect_timeout")?.Duration(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)) ?? TimeSpan.FromSeconds(10),
            SessionTimeout = item.Optional("session_timeout")?.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)) ?? TimeSpan.FromSeconds(60),
            MaxItemsPerSubscription = item.Optional("max_items_per_subscription")?.Int(1, 100_000) ?? 1000,
            WriterQueueCapacity = item.Optional("writer_queue") is { } writerQueue ? WriterQueue(writerQueue) : OpcUaSourceOptions.DefaultWriterQueueCapacity,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw item.Error(ex.Message);
        }

        return new OpcUaSourceConfig(name, location, options);
    }

    /// <summary>`writer_queue: 100000`: samples that may wait for the spool before the source holds back its Publish requests.</summary>
    private static int WriterQueue(ConfigNode node)
    {
        var text = node.String();
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            && value is >= OpcUaSourceOptions.MinWriterQueueCapacity and <= OpcUaSourceOptions.MaxWriterQueueCapacity
            ? value
            : throw node.Error(string.Create(CultureInfo.InvariantCulture,
                $"'{text}' is not a whole number from {OpcUaSourceOptions.MinWriterQueueCapacity} to {OpcUaSourceOptions.MaxWriterQueueCapacity}: the samples that may wait for the spool before the source holds back its Publish requests (default {OpcUaSourceOptions.DefaultWriterQueueCapacity}; below one PLC response's worth every response stalls, above it memory grows with nothing gained)."));
    }

    private static OpcUaNodeSpec ParseEntry(ConfigNode entry, EntryDefaults defaults, Dictionary<string, ConfigNode> explicitTags)
    {
        var nodeNode = entry.Optional("node");
        var pathNode = entry.Optional("path");
        var browseNode = entry.Optional("browse");
        var given = (nodeNode is null ? 0 : 1) + (pathNode is null ? 0 : 1) + (browseNode is null ? 0 : 1);
        if (given != 1)
        {
            throw entry.Error(given == 0
                ? "expected one of node: (nsu=<uri>;s=<id>), path: (Objects/…/Variable) or browse: (Objects/…/Folder)."
                : "give only one of node:, path: or browse: per entry.");
        }

        var machineNode = entry.Optional("machine");
        var machine = machineNode?.Name() ?? defaults.Machine
            ?? throw entry.Error("'machine' is missing; expected the machine these values belong to (here or on the source).");
        var tagNode = entry.Optional("tag");
        var tag = tagNode?.Name();
        var depthNode = entry.Optional("depth");
        if (depthNode is not null && browseNode is null)
        {
            throw depthNode.Error("depth only applies to browse: entries.");
        }

        var spec = new OpcUaNodeSpec
        {
            Selector = nodeNode is not null ? OpcUaNodeSelector.NodeId : pathNode is not null ? OpcUaNodeSelector.BrowsePath : OpcUaNodeSelector.BrowseRule,
            NodeId = nodeNode is null ? default : NodeIdOf(nodeNode),
            Path = pathNode is not null ? PathOf(pathNode) : browseNode is not null ? PathOf(browseNode) : [],
            Depth = depthNode?.Int(1, OpcUaSourceOptions.MaxRuleDepth) ?? OpcUaSourceOptions.MaxRuleDepth,
            Machine = machine,
            Area = entry.Optional("area")?.Name() ?? defaults.Area,
            Line = entry.Optional("line")?.Name() ?? defaults.Line,
            Tag = tag,
            SamplingInterval = entry.Optional("sampling_interval")?.Duration(TimeSpan.Zero, TimeSpan.FromHours(1)),
            QueueSize = entry.Optional("queue_size") is { } q ? (uint)q.Int(1, 100_000) : null,
            Deadband = entry.Optional("deadband") is { } d ? Deadband(d) : null,
            Origin = $"{entry.File}:{entry.Line.ToString(CultureInfo.InvariantCulture)} {entry.Path}",
        };
        entry.EnsureNoUnknownKeys();

        if (spec.Selector != OpcUaNodeSelector.BrowseRule && tag is not null)
        {
            var key = $"{spec.Area}/{spec.Line}/{machine}/{tag}";
            if (explicitTags.TryGetValue(key, out var first))
            {
                throw tagNode!.Error($"tag {machine}/{tag} is already mapped at line {first.Line.ToString(CultureInfo.InvariantCulture)}.");
            }

            explicitTags[key] = tagNode!;
        }

        return spec;
    }

    private static ExpandedNodeId NodeIdOf(ConfigNode node)
    {
        var text = node.NonEmptyString("a node id such as nsu=urn:acme:plc;s=Press1.Temp");
        ExpandedNodeId id;
        try
        {
            id = ExpandedNodeId.Parse(text);
        }
        catch (FormatException ex)
        {
            throw node.Error($"{ex.Message} Expected e.g. nsu=urn:acme:plc;s=Press1.Temp (telemetry-edge browse prints them).");
        }

        if (id.ServerIndex != 0)
        {
            throw node.Error($"'{text}' names another server (svr=); give the node id on this PLC.");
        }

        if (id.NamespaceUri is null && id.NodeId.NamespaceIndex != 0)
        {
            throw node.Error($"'{text}' names its namespace by index, which can change when the PLC restarts; write its namespace URI instead: nsu=<uri>;{text[(text.IndexOf(';', StringComparison.Ordinal) + 1)..]} (telemetry-edge browse prints it).");
        }

        return id;
    }

    private static string[] PathOf(ConfigNode node)
    {
        var text = node.NonEmptyString("a browse path such as Objects/Machines/Press1");
        var parts = text.Trim('/').Split('/');
        if (parts.Any(p => p.Length == 0))
        {
            throw node.Error($"'{text}' has an empty step; expected browse names separated by '/', e.g. Objects/Machines/Press1.");
        }

        if (parts[0] != "Objects")
        {
            throw node.Error($"'{text}' must start at the Objects folder, e.g. Objects/{text.Trim('/')}.");
        }

        return parts;
    }

    /// <summary>"0.5" (absolute, in the value's unit), "2%" (percent of the node's EURange) or "none".</summary>
    private static OpcUaDeadband Deadband(ConfigNode node)
    {
        var text = node.String().Trim();
        if (text == "none")
        {
            return OpcUaDeadband.None;
        }

        var percent = text.EndsWith('%');
        var number = percent ? text[..^1].Trim() : text;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsNaN(value) || double.IsInfinity(value) || (percent && value > 100))
        {
            throw node.Error($"'{text}' is not a deadband; expected an absolute value such as 0.5, a percent of the range such as 2%, or none.");
        }

        return new OpcUaDeadband(percent, value);
    }

    private sealed record EntryDefaults(string Area, string Line, string? Machine);
}
