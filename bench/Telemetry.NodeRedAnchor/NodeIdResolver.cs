using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.NodeRedAnchor;

/// <summary>
/// Turns the run's items into the node id strings node-opcua takes ("ns=3;s=Load.Item00000"): namespace URIs are
/// resolved against the server's NamespaceArray, and a browse root is expanded to the Variables under it. Uses
/// our own OPC UA client for one short session before Node-RED starts (Node-RED's node cannot take "nsu=").
/// </summary>
internal static class NodeIdResolver
{
    public static async Task<IReadOnlyList<string>> ResolveAsync(NodeRedRunOptions options, CancellationToken cancellationToken)
    {
        var parsed = new List<ExpandedNodeId>(options.NodeIds.Count);
        for (var i = 0; i < options.NodeIds.Count; i++)
        {
            try
            {
                parsed.Add(ExpandedNodeId.Parse(options.NodeIds[i]));
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"NodeIds[{i}] '{options.NodeIds[i]}': {ex.Message}", nameof(options), ex);
            }
        }

        ExpandedNodeId? root = null;
        if (!string.IsNullOrWhiteSpace(options.BrowseRoot))
        {
            try
            {
                root = ExpandedNodeId.Parse(options.BrowseRoot);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"BrowseRoot '{options.BrowseRoot}': {ex.Message}", nameof(options), ex);
            }
        }

        if (root is null && parsed.TrueForAll(id => id.NamespaceUri is null))
        {
            return [.. options.NodeIds];
        }

        var session = await UaSession.ConnectAsync(
            new UaClientOptions { EndpointUrl = options.OpcUaEndpoint, ApplicationName = "Telemetry Node-RED anchor", ApplicationUri = "urn:telemetry:nodered-anchor", SessionName = "node-red anchor: resolve" },
            cancellationToken).ConfigureAwait(false);
        await using var disposeSession = session.ConfigureAwait(false);
        var ids = new List<string>();
        if (root is { } folder)
        {
            foreach (var child in await session.BrowseAsync(folder, NodeClass.Variable, cancellationToken).ConfigureAwait(false))
            {
                ids.Add(session.Namespaces.Resolve(child.NodeId).ToString());
            }

            if (ids.Count == 0)
            {
                throw new ArgumentException($"BrowseRoot '{options.BrowseRoot}' on {options.OpcUaEndpoint} has no Variables under it.", nameof(options));
            }

            ids.Sort(StringComparer.Ordinal);
        }
        else
        {
            foreach (var id in parsed)
            {
                ids.Add(session.Namespaces.Resolve(id).ToString());
            }
        }

        await session.CloseAsync(cancellationToken).ConfigureAwait(false);
        return ids;
    }
}
