using System.Globalization;

namespace Telemetry.OpcUa.Encoding;

/// <summary>
/// A node id that may name its namespace by URI and its server by index (OPC 10000-4 §7.16). The client's public
/// API takes these with a namespace URI ("nsu=urn:plc;s=Press1.Force") so configuration never depends on the
/// namespace indexes a server happens to assign.
/// </summary>
public readonly struct ExpandedNodeId : IEquatable<ExpandedNodeId>
{
    public ExpandedNodeId(NodeId nodeId, string? namespaceUri = null, uint serverIndex = 0)
    {
        NodeId = namespaceUri is null ? nodeId : nodeId.WithNamespaceIndex(0);
        NamespaceUri = namespaceUri;
        ServerIndex = serverIndex;
    }

    public NodeId NodeId { get; }

    public string? NamespaceUri { get; }

    public uint ServerIndex { get; }

    public bool IsNull => NodeId.IsNull && NamespaceUri is null && ServerIndex == 0;

    public static bool operator ==(ExpandedNodeId left, ExpandedNodeId right) => left.Equals(right);

    public static bool operator !=(ExpandedNodeId left, ExpandedNodeId right) => !left.Equals(right);

    public static implicit operator ExpandedNodeId(NodeId nodeId) => new(nodeId);

    public bool Equals(ExpandedNodeId other) =>
        NodeId == other.NodeId && string.Equals(NamespaceUri, other.NamespaceUri, StringComparison.Ordinal) && ServerIndex == other.ServerIndex;

    public override bool Equals(object? obj) => obj is ExpandedNodeId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(NodeId, NamespaceUri, ServerIndex);

    /// <summary>"svr=1;nsu=urn:x;s=Foo", "nsu=urn:x;i=5", or the plain NodeId text.</summary>
    public override string ToString()
    {
        var server = ServerIndex == 0 ? string.Empty : $"svr={ServerIndex.ToString(CultureInfo.InvariantCulture)};";
        return NamespaceUri is null ? server + NodeId : $"{server}nsu={NamespaceUri};{NodeId.IdentifierText()}";
    }

    /// <summary>Parses "nsu=URI;s=…" (and everything <see cref="NodeId.Parse"/> takes).</summary>
    public static ExpandedNodeId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.AsSpan();
        uint server = 0;
        if (rest.StartsWith("svr="))
        {
            var semicolon = rest.IndexOf(';');
            if (semicolon < 0 || !uint.TryParse(rest[4..semicolon], NumberStyles.None, CultureInfo.InvariantCulture, out server))
            {
                throw new FormatException($"'{text}' is not an expanded node id: bad svr= part.");
            }

            rest = rest[(semicolon + 1)..];
        }

        if (!rest.StartsWith("nsu="))
        {
            return new ExpandedNodeId(NodeId.Parse(rest.ToString()), null, server);
        }

        // The URI may contain ';': the identifier is the last ";x=" part.
        var cut = -1;
        for (var i = rest.Length - 3; i >= 4; i--)
        {
            if (rest[i] == ';' && rest[i + 2] == '=' && rest[i + 1] is 'i' or 's' or 'g' or 'b')
            {
                cut = i;
                break;
            }
        }

        if (cut < 0)
        {
            throw new FormatException($"'{text}' is not an expanded node id: expected nsu=<uri>;<type>=<value>.");
        }

        var uri = rest[4..cut].ToString();
        return new ExpandedNodeId(NodeId.ParseIdentifier(text, rest[(cut + 1)..], 0), uri, server);
    }
}
