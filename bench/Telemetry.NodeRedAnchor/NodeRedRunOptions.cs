using Microsoft.Extensions.Logging;

namespace Telemetry.NodeRedAnchor;

/// <summary>
/// One run of the Node-RED anchor: which OPC UA items to subscribe to, where to write, how long to measure.
/// Immutable; <see cref="Validate"/> (called by <see cref="NodeRedAnchor.RunAsync"/>) names the bad property.
/// </summary>
public sealed record NodeRedRunOptions
{
    /// <summary>The PLC, e.g. "opc.tcp://127.0.0.1:4840" (security None, anonymous: as the stock flow is set up).</summary>
    public required string OpcUaEndpoint { get; init; }

    /// <summary>
    /// The items, as "nsu=urn:telemetry:plc;s=Load.Item00000" (resolved to the server's namespace index before the
    /// flow is rendered) or "ns=3;s=…". Either this or <see cref="BrowseRoot"/>, not both.
    /// </summary>
    public IReadOnlyList<string> NodeIds { get; init; } = [];

    /// <summary>
    /// Instead of <see cref="NodeIds"/>: every Variable directly under this node ("nsu=urn:telemetry:plc;s=Load"),
    /// browsed with our own OPC UA client before Node-RED starts.
    /// </summary>
    public string? BrowseRoot { get; init; }

    /// <summary>One subscribe message per item (the usual flow) or one bulk "multiple" message.</summary>
    public NodeRedSubscribeMode SubscribeMode { get; init; } = NodeRedSubscribeMode.PerItem;

    /// <summary>Sampling interval of every monitored item, also the subscription's publishing interval.</summary>
    public TimeSpan SamplingInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>InfluxDB 1.x, e.g. http://127.0.0.1:8086/ (loopback in tests). The database is created if missing.</summary>
    public required Uri InfluxUrl { get; init; }

    public string Database { get; init; } = "nodered";

    /// <summary>Measurement the flow writes (field "value", tag "item" = the node id, time = the source timestamp in ms).</summary>
    public string Measurement { get; init; } = "nodered_anchor";

    /// <summary>The measured window: samples whose source timestamps fall in it are counted.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time after every item has been stored at least once, before the window starts.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time after the window for writes still in flight; samples of the window stored later count as lost.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Limit for install-free start-up until every item has reached InfluxDB once (Node-RED loads its palette first).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Limit for bench/anchors/node-red/install.sh when Node-RED is not installed yet (npm ci, ~1-2 min).</summary>
    public TimeSpan InstallTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>bench/anchors/node-red of the checkout this assembly was built from, unless given.</summary>
    public string? AnchorDirectory { get; init; }

    public ILogger? Logger { get; init; }

    /// <summary>When set, every line Node-RED prints (its log, the flow's counters once a second) is appended to this file.</summary>
    public string? OutputFile { get; init; }

    public void Validate()
    {
        if (!Uri.TryCreate(OpcUaEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != "opc.tcp")
        {
            throw new ArgumentException($"OpcUaEndpoint '{OpcUaEndpoint}' is not an opc.tcp:// URL.", nameof(OpcUaEndpoint));
        }

        if ((NodeIds.Count == 0) == string.IsNullOrWhiteSpace(BrowseRoot))
        {
            throw new ArgumentException("Give either NodeIds or BrowseRoot (exactly one of them).", nameof(NodeIds));
        }

        for (var i = 0; i < NodeIds.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(NodeIds[i]))
            {
                throw new ArgumentException($"NodeIds[{i}] is empty.", nameof(NodeIds));
            }
        }

        if (SamplingInterval < TimeSpan.FromMilliseconds(1) || SamplingInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SamplingInterval), SamplingInterval, "The sampling interval is between 1 ms and 1 h (the contrib node takes whole milliseconds).");
        }

        if (!InfluxUrl.IsAbsoluteUri || InfluxUrl.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"InfluxUrl '{InfluxUrl}' is not an absolute http:// URL.", nameof(InfluxUrl));
        }

        if (!Enum.IsDefined(SubscribeMode))
        {
            throw new ArgumentOutOfRangeException(nameof(SubscribeMode), SubscribeMode, "PerItem or Group.");
        }

        CheckName(Database, nameof(Database));
        CheckName(Measurement, nameof(Measurement));
        CheckPositive(Duration, nameof(Duration));
        CheckPositive(ReadyTimeout, nameof(ReadyTimeout));
        CheckPositive(InstallTimeout, nameof(InstallTimeout));
        if (Warmup < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Warmup), Warmup, "The warm-up cannot be negative.");
        }

        if (Drain < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Drain), Drain, "The drain time cannot be negative.");
        }
    }

    private static void CheckPositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }

    // Names go into InfluxQL identifiers and the flow: keep them to a safe alphabet rather than escaping.
    private static void CheckName(string value, string name)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            throw new ArgumentException($"{name} must be 1-64 characters.", name);
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-'))
            {
                throw new ArgumentException($"{name} '{value}' may only hold ASCII letters, digits, '_' and '-'.", name);
            }
        }
    }
}
