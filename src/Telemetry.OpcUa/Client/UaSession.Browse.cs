using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>One reference found by browsing, with node ids named by namespace URI.</summary>
public sealed record BrowsedNode(ExpandedNodeId NodeId, QualifiedName BrowseName, string DisplayName, NodeClass NodeClass, ExpandedNodeId TypeDefinition, NodeId ReferenceTypeId);

public sealed partial class UaSession
{
    /// <summary>
    /// Browses the forward hierarchical references of a node (following continuation points with BrowseNext).
    /// </summary>
    public Task<IReadOnlyList<BrowsedNode>> BrowseAsync(ExpandedNodeId node, NodeClass nodeClassMask = NodeClass.Unspecified, CancellationToken cancellationToken = default) =>
        BrowseAsync(node, new BrowseDescription { NodeId = Namespaces.Resolve(node), NodeClassMask = nodeClassMask }, cancellationToken);

    /// <summary>
    /// Browses the references of one type (and its subtypes) in one direction, e.g. inverse HasEncoding from an
    /// encoding node to its DataType, or inverse HasSubtype to a type's parent.
    /// </summary>
    public Task<IReadOnlyList<BrowsedNode>> BrowseReferencesAsync(ExpandedNodeId node, BrowseDirection direction, uint referenceTypeId, CancellationToken cancellationToken = default) =>
        BrowseAsync(node, new BrowseDescription { NodeId = Namespaces.Resolve(node), BrowseDirection = direction, ReferenceTypeId = new NodeId(referenceTypeId) }, cancellationToken);

    private async Task<IReadOnlyList<BrowsedNode>> BrowseAsync(ExpandedNodeId node, BrowseDescription description, CancellationToken cancellationToken)
    {
        var response = await CallAsync<BrowseResponse>(
            new BrowseRequest { NodesToBrowse = [description], RequestedMaxReferencesPerNode = 1000 },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var found = new List<BrowsedNode>();
        var result = response.Results.Length == 1 ? response.Results[0] : throw new OpcUaException(new StatusCode(StatusCodes.BadUnexpectedError), $"{EndpointUrl} answered one Browse with {response.Results.Length} results.");
        while (true)
        {
            if (result.StatusCode.IsBad)
            {
                throw new OpcUaException(result.StatusCode, $"Browsing {node} on {EndpointUrl} failed.");
            }

            foreach (var reference in result.References)
            {
                found.Add(new BrowsedNode(
                    Namespaces.ToExpanded(reference.NodeId),
                    reference.BrowseName,
                    reference.DisplayName.Text ?? reference.BrowseName.Name ?? string.Empty,
                    reference.NodeClass,
                    Namespaces.ToExpanded(reference.TypeDefinition),
                    reference.ReferenceTypeId));
            }

            if (result.ContinuationPoint is not { Length: > 0 } continuation)
            {
                return found;
            }

            var next = await CallAsync<BrowseNextResponse>(
                new BrowseNextRequest { ContinuationPoints = [continuation] },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            result = next.Results.Length == 1 ? next.Results[0] : throw new OpcUaException(new StatusCode(StatusCodes.BadUnexpectedError), $"{EndpointUrl} answered one BrowseNext with {next.Results.Length} results.");
        }
    }

    /// <summary>
    /// Resolves a browse path of browse names ("2:PLC/2:Counter" style elements, each with a namespace URI) from a
    /// start node to a node id, following hierarchical references.
    /// </summary>
    public async Task<ExpandedNodeId> TranslateBrowsePathAsync(ExpandedNodeId start, IReadOnlyList<(string NamespaceUri, string Name)> path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var elements = new RelativePathElement[path.Count];
        for (var i = 0; i < path.Count; i++)
        {
            if (!Namespaces.TryGetIndex(path[i].NamespaceUri, out var ns))
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadBrowseNameInvalid), $"{EndpointUrl} has no namespace '{path[i].NamespaceUri}' for browse name '{path[i].Name}'.");
            }

            elements[i] = new RelativePathElement(new NodeId(UaNodeIds.HierarchicalReferences), false, true, new QualifiedName(ns, path[i].Name));
        }

        var response = await CallAsync<TranslateBrowsePathsToNodeIdsResponse>(
            new TranslateBrowsePathsToNodeIdsRequest { BrowsePaths = [new BrowsePath(Namespaces.Resolve(start), elements)] },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = response.Results.Length == 1 ? response.Results[0] : throw new OpcUaException(new StatusCode(StatusCodes.BadUnexpectedError), "TranslateBrowsePathsToNodeIds returned no result.");
        if (result.StatusCode.IsBad || result.Targets.Length == 0)
        {
            throw new OpcUaException(result.StatusCode.IsBad ? result.StatusCode : new StatusCode(StatusCodes.BadNoMatch), $"Browse path {string.Join('/', path.Select(p => p.Name))} from {start} not found on {EndpointUrl}.");
        }

        return Namespaces.ToExpanded(result.Targets[0].TargetId);
    }
}
