using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

public sealed partial class UaSession
{
    /// <summary>Reads one attribute of many nodes (ids with namespace URIs), split into calls of at most MaxNodesPerRead.</summary>
    public async Task<DataValue[]> ReadAsync(IReadOnlyList<ExpandedNodeId> nodes, AttributeId attribute = AttributeId.Value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var results = new DataValue[nodes.Count];
        var batch = Math.Max(1, OperationLimits.MaxNodesPerRead);
        for (var start = 0; start < nodes.Count; start += batch)
        {
            var count = Math.Min(batch, nodes.Count - start);
            var ids = new ReadValueId[count];
            for (var i = 0; i < count; i++)
            {
                ids[i] = new ReadValueId(Namespaces.Resolve(nodes[start + i]), attribute);
            }

            var response = await CallAsync<ReadResponse>(new ReadRequest { NodesToRead = ids }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (response.Results.Length != count)
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadUnexpectedError), $"{EndpointUrl} answered a Read of {count} nodes with {response.Results.Length} results.");
            }

            response.Results.CopyTo(results, start);
        }

        return results;
    }

    /// <summary>Reads the value of one node.</summary>
    public async Task<DataValue> ReadValueAsync(ExpandedNodeId node, CancellationToken cancellationToken = default) =>
        (await ReadAsync([node], AttributeId.Value, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Number of Read calls needed for <paramref name="count"/> nodes under the server's limit (for tests and planning).</summary>
    public int ReadCallsFor(int count) => count == 0 ? 0 : ((count - 1) / Math.Max(1, OperationLimits.MaxNodesPerRead)) + 1;
}
