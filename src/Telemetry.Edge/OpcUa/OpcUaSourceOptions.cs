using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.OpcUa;

/// <summary>The channel security of an OPC UA source. Only None is in this build; the setting exists so configs name it.</summary>
public enum OpcUaSecurity
{
    None = 0,
}

/// <summary>A data change deadband (OPC 10000-4 §7.22.2): absolute in the value's unit, or percent of its EURange.</summary>
public readonly record struct OpcUaDeadband(bool IsPercent, double Value)
{
    public static OpcUaDeadband None => default;

    public bool IsNone => Value == 0 && !IsPercent;

    public override string ToString() => IsNone ? "none" : IsPercent ? $"{Value}%" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>How a configured entry names its nodes.</summary>
public enum OpcUaNodeSelector
{
    /// <summary>One node by id with its namespace URI (nsu=urn:…;s=Press1.Temp).</summary>
    NodeId,

    /// <summary>One node by browse path from the Objects folder (Objects/Machines/Press1/Force).</summary>
    BrowsePath,

    /// <summary>Every variable under a folder (Objects/Machines/Press1), down to a depth.</summary>
    BrowseRule,
}

/// <summary>
/// One entry of a source's node list: what to read and where its samples go. <see cref="Tag"/> null means "the
/// browse name" (for a rule: the browse names below the folder joined with '.').
/// </summary>
public sealed record OpcUaNodeSpec
{
    public required OpcUaNodeSelector Selector { get; init; }

    /// <summary>For <see cref="OpcUaNodeSelector.NodeId"/>.</summary>
    public ExpandedNodeId NodeId { get; init; }

    /// <summary>Browse names from Objects for <see cref="OpcUaNodeSelector.BrowsePath"/> and <see cref="OpcUaNodeSelector.BrowseRule"/>.</summary>
    public IReadOnlyList<string> Path { get; init; } = [];

    /// <summary>Levels below the folder a rule descends (1: its direct variables only).</summary>
    public int Depth { get; init; } = OpcUaSourceOptions.MaxRuleDepth;

    public required string Machine { get; init; }

    public string Area { get; init; } = string.Empty;

    public string Line { get; init; } = string.Empty;

    public string? Tag { get; init; }

    /// <summary>Overrides of the source's settings for these nodes (null: the source's).</summary>
    public TimeSpan? SamplingInterval { get; init; }

    public uint? QueueSize { get; init; }

    public OpcUaDeadband? Deadband { get; init; }

    /// <summary>Where the entry is written ("edge.yaml:31 nodes[2]"), for messages about nodes the PLC does not have.</summary>
    public string Origin { get; init; } = string.Empty;

    public string Describe() => Selector switch
    {
        OpcUaNodeSelector.NodeId => $"node {NodeId}",
        OpcUaNodeSelector.BrowsePath => $"path {string.Join('/', Path)}",
        _ => $"browse {string.Join('/', Path)}",
    };
}

/// <summary>Options of one <see cref="OpcUaSource"/> (one PLC); immutable, checked by <see cref="Validate"/>.</summary>
public sealed record OpcUaSourceOptions
{
    /// <summary>Deepest a browse rule goes (and its default).</summary>
    public const int MaxRuleDepth = 16;

    /// <summary>Most variables one browse rule may yield: a rule on the wrong folder must not subscribe the whole PLC.</summary>
    public const int MaxRuleVariables = 20_000;

    public required string Name { get; init; }

    public required string Site { get; init; }

    public required string EndpointUrl { get; init; }

    public OpcUaSecurity Security { get; init; } = OpcUaSecurity.None;

    [JsonIgnore]
    public UserIdentity Identity { get; init; } = UserIdentity.Anonymous;

    public TimeSpan PublishingInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan SamplingInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public uint QueueSize { get; init; } = 10;

    [JsonIgnore]
    public OpcUaDeadband Deadband { get; init; }

    public string DeadbandText => Deadband.ToString();

    /// <summary>What to read (at least one entry). Not serialized: <see cref="SettingsKey"/> stands for it.</summary>
    [JsonIgnore]
    public IReadOnlyList<OpcUaNodeSpec> Nodes { get; init; } = [];

    /// <summary>How long one connect attempt (TCP, channel, session) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The server keeps the session and its queued notifications this long while we are cut off.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many monitored items per subscription (S7-1500 rejects more than 1,000).</summary>
    public int MaxItemsPerSubscription { get; init; } = 1000;

    /// <summary>Samples written to the sink in one batch at most.</summary>
    public int MaxBatchSamples { get; init; } = 4096;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    [JsonIgnore]
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// The identity and node list as text (the password as a hash, no file positions): what a configuration
    /// reload compares to decide whether this source must restart.
    /// </summary>
    public string SettingsKey
    {
        get
        {
            var text = new StringBuilder();
            text.Append(Identity switch
            {
                UserNameIdentity user => $"user {user.UserName} {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user.Password)))}",
                _ => "anonymous",
            });
            foreach (var node in Nodes)
            {
                text.Append('|').Append(node.Describe()).Append(' ').Append(node.Depth).Append(' ')
                    .Append(node.Area).Append('/').Append(node.Line).Append('/').Append(node.Machine).Append('/').Append(node.Tag)
                    .Append(' ').Append(node.SamplingInterval).Append(' ').Append(node.QueueSize).Append(' ').Append(node.Deadband);
            }

            return text.ToString();
        }
    }

    public void Validate()
    {
        var where = $"OPC UA source '{Name}'";
        if (string.IsNullOrWhiteSpace(Name) || string.IsNullOrWhiteSpace(Site))
        {
            throw new ArgumentException("An OPC UA source needs a name and a site.");
        }

        try
        {
            new UaClientOptions { EndpointUrl = EndpointUrl }.Validate();
        }
        catch (OpcUaException ex)
        {
            throw new ArgumentException($"{where}: {ex.Message}", ex);
        }

        if (Nodes.Count == 0)
        {
            throw new ArgumentException($"{where}: the node list is empty.");
        }

        if (PublishingInterval <= TimeSpan.Zero || SamplingInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"{where}: the publishing interval must be positive and the sampling interval not negative.");
        }

        if (QueueSize is 0 or > 100_000)
        {
            throw new ArgumentException($"{where}: the queue size must be from 1 to 100000.");
        }

        if (ConnectTimeout <= TimeSpan.Zero || ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentException($"{where}: the connect timeout and reconnect delays must be positive (max >= min).");
        }

        if (MaxItemsPerSubscription < 1 || MaxBatchSamples < 1)
        {
            throw new ArgumentException($"{where}: items per subscription and batch size must be at least 1.");
        }

        for (var i = 0; i < Nodes.Count; i++)
        {
            var node = Nodes[i];
            if (node.Selector == OpcUaNodeSelector.NodeId && node.NodeId.NamespaceUri is null && node.NodeId.NodeId.NamespaceIndex != 0)
            {
                throw new ArgumentException($"{where}: Nodes[{i}] {node.NodeId} names its namespace by index; use nsu=<namespace URI> (indexes change when the PLC restarts).");
            }

            if (node.Selector != OpcUaNodeSelector.NodeId && node.Path.Count == 0)
            {
                throw new ArgumentException($"{where}: Nodes[{i}] has an empty browse path.");
            }

            if (node.Depth is < 1 or > MaxRuleDepth)
            {
                throw new ArgumentException($"{where}: Nodes[{i}] depth must be from 1 to {MaxRuleDepth}.");
            }
        }
    }

    internal UaClientOptions ToClientOptions(string sessionName) => new()
    {
        EndpointUrl = EndpointUrl,
        Identity = Identity,
        SessionName = sessionName,
        SessionTimeout = SessionTimeout,
        ReconnectMinDelay = ReconnectMinDelay,
        ReconnectMaxDelay = ReconnectMaxDelay,
        MaxItemsPerSubscription = MaxItemsPerSubscription,
        TimeProvider = TimeProvider,
        LoggerFactory = LoggerFactory,
    };
}
