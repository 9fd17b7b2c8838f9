using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Client;

/// <summary>
/// A server's NamespaceArray (Server_NamespaceArray, i=2255) for one session: maps namespace URIs to the indexes
/// this server uses right now. Indexes may change when the server restarts; URIs do not.
/// </summary>
public sealed class NamespaceTable
{
    private readonly string[] _uris;
    private readonly Dictionary<string, ushort> _indexes = new(StringComparer.Ordinal);

    public NamespaceTable(IReadOnlyList<string?> uris)
    {
        ArgumentNullException.ThrowIfNull(uris);
        _uris = new string[uris.Count];
        for (var i = 0; i < uris.Count && i <= ushort.MaxValue; i++)
        {
            _uris[i] = uris[i] ?? string.Empty;
            _indexes.TryAdd(_uris[i], (ushort)i);
        }
    }

    public IReadOnlyList<string> Uris => _uris;

    public bool TryGetIndex(string uri, out ushort index) => _indexes.TryGetValue(uri, out index);

    public string? GetUri(ushort index) => index < _uris.Length ? _uris[index] : null;

    /// <summary>The session-local NodeId of an id given with a namespace URI (or a plain index).</summary>
    public NodeId Resolve(ExpandedNodeId id)
    {
        if (id.NamespaceUri is null)
        {
            return id.NodeId;
        }

        if (!_indexes.TryGetValue(id.NamespaceUri, out var index))
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadNodeIdUnknown),
                $"Node {id}: the server has no namespace '{id.NamespaceUri}' (it has: {string.Join(", ", _uris)}).");
        }

        return id.NodeId.WithNamespaceIndex(index);
    }

    /// <summary>The same node named by namespace URI (index 0 stays plain).</summary>
    public ExpandedNodeId ToExpanded(NodeId id) =>
        id.NamespaceIndex == 0 || GetUri(id.NamespaceIndex) is not { } uri ? new ExpandedNodeId(id) : new ExpandedNodeId(id, uri);

    public ExpandedNodeId ToExpanded(ExpandedNodeId id) =>
        id.NamespaceUri is not null || id.ServerIndex != 0 ? id : ToExpanded(id.NodeId);
}
