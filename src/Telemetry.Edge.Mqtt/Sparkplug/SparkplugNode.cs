using Telemetry.Core;

namespace Telemetry.Edge.Mqtt.Sparkplug;

/// <summary>What the host knows about one edge node from its last birth: bdSeq, sequence, aliases, devices.</summary>
internal sealed class SparkplugNode
{
    public SparkplugNode(string group, string edgeNode)
    {
        Group = group;
        EdgeNode = edgeNode;
    }

    public string Group { get; }

    public string EdgeNode { get; }

    public bool Online { get; set; }

    /// <summary>bdSeq of the current birth; an NDEATH with another bdSeq is stale.</summary>
    public ulong BirthDeathSeq { get; set; }

    /// <summary>seq of the last message (0..255); the next must be one more, modulo 256.</summary>
    public int LastSeq { get; set; }

    public Dictionary<ulong, SparkplugMetric> ByAlias { get; } = [];

    /// <summary>Metrics by (device or "" for the node, name).</summary>
    public Dictionary<(string Device, string Name), SparkplugMetric> ByName { get; } = [];

    public HashSet<string> OnlineDevices { get; } = new(StringComparer.Ordinal);

    public long LastRebirthRequestTimestamp { get; set; } = long.MinValue;

    public void Reset()
    {
        ByAlias.Clear();
        ByName.Clear();
        OnlineDevices.Clear();
        Online = false;
    }
}

/// <summary>A metric from a birth certificate: its datatype and where its samples go.</summary>
internal sealed record SparkplugMetric(string? Device, string Name, uint DataType, AssetPath Path);
