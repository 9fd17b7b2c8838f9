using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// The channel security of an OPC UA source: the message security mode, and the policy (null: the most secure one the
/// PLC offers for that mode). Exactly this is used; a PLC that does not offer it is an error, never a fallback.
/// </summary>
public sealed record OpcUaSecurity(MessageSecurityMode Mode, string? PolicyUri = null, bool AllowDeprecated = false)
{
    public static OpcUaSecurity None { get; } = new(MessageSecurityMode.None);

    public bool IsNone => Mode == MessageSecurityMode.None;

    /// <summary>"None", "Basic256Sha256 SignAndEncrypt", "best policy SignAndEncrypt": as `check` and the logs print it.</summary>
    public override string ToString() =>
        IsNone ? "None" : $"{(PolicyUri is null ? "best policy" : SecurityPolicies.ShortName(PolicyUri))} {Mode}";
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

    /// <summary>The agent's PKI folder (own/, trusted/, issuers/, rejected/); required unless <see cref="Security"/> is None.</summary>
    public string? PkiPath { get; init; }

    /// <summary>The agent's ApplicationUri: the SAN URI of its application instance certificate (created on first use).</summary>
    public string ApplicationUri { get; init; } = OpcUaClientSettings.DefaultApplicationUri;

    /// <summary>The agent's application name: the CN of its certificate.</summary>
    public string ApplicationName { get; init; } = OpcUaClientSettings.DefaultApplicationName;

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

    /// <summary>
    /// Samples that may wait for the spool before the source holds back its next Publish request (the PLC keeps the
    /// values meanwhile, in its own queues); counted and logged when reached, never a reason to drop.
    /// </summary>
    public int WriterQueueCapacity { get; init; } = DefaultWriterQueueCapacity;

    /// <summary>The default <see cref="WriterQueueCapacity"/> (edge.yaml `writer_queue`).</summary>
    public const int DefaultWriterQueueCapacity = 100_000;

    /// <summary>Least `writer_queue` in edge.yaml: one PLC response carries up to ~1,000 values, less would stall every response.</summary>
    public const int MinWriterQueueCapacity = 1_000;

    /// <summary>Most <see cref="WriterQueueCapacity"/>: 10 million waiting samples already take hundreds of megabytes of memory.</summary>
    public const int MaxWriterQueueCapacity = 10_000_000;

    /// <summary>
    /// Where the source keeps its session's subscriptions and acknowledged sequence numbers (next to the spool), so an
    /// agent restarted after a crash takes the PLC's subscriptions over and republishes what the PLC still holds;
    /// null: every start subscribes anew.
    /// </summary>
    public string? ResumeStateDirectory { get; init; }

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
                X509Identity x509 => $"certificate {x509.Certificate.Thumbprint}",
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

        if (!Security.IsNone && string.IsNullOrWhiteSpace(PkiPath))
        {
            throw new ArgumentException($"{where}: security {Security} needs a PKI folder (opcua.pki, default <data_dir>/pki).");
        }

        if (!Uri.TryCreate(ApplicationUri, UriKind.Absolute, out _) || string.IsNullOrWhiteSpace(ApplicationName))
        {
            throw new ArgumentException($"{where}: the ApplicationUri '{ApplicationUri}' is not an absolute URI (e.g. urn:telemetry:edge:plant-a-edge-1), or the application name is empty.");
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

        if (MaxItemsPerSubscription < 1 || MaxBatchSamples < 1 || WriterQueueCapacity < 1)
        {
            throw new ArgumentException($"{where}: items per subscription, batch size and writer queue capacity must be at least 1.");
        }

        if (WriterQueueCapacity > MaxWriterQueueCapacity)
        {
            throw new ArgumentException($"{where}: the writer queue capacity {WriterQueueCapacity} is over {MaxWriterQueueCapacity} samples (hundreds of megabytes of memory).");
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

        // the security settings as the session will check them (policy, mode, identity)
        try
        {
            ToClientOptions(Name).Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or OpcUaException)
        {
            throw new ArgumentException($"{where}: {ex.Message}", ex);
        }
    }

    internal UaClientOptions ToClientOptions(string sessionName) => new()
    {
        EndpointUrl = EndpointUrl,
        Identity = Identity,
        SessionName = sessionName,
        SecurityMode = Security.Mode,
        SecurityPolicyUri = Security.IsNone ? null : Security.PolicyUri,
        AllowDeprecatedPolicies = Security.AllowDeprecated,
        PkiPath = PkiPath,
        ApplicationUri = ApplicationUri,
        ApplicationName = ApplicationName,
        SessionTimeout = SessionTimeout,
        ReconnectMinDelay = ReconnectMinDelay,
        ReconnectMaxDelay = ReconnectMaxDelay,
        MaxItemsPerSubscription = MaxItemsPerSubscription,
        TimeProvider = TimeProvider,
        LoggerFactory = LoggerFactory,
    };
}
