using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// On every new session the configured nodes are resolved again: the session itself re-maps node ids by namespace
/// URI when it recreates subscriptions, but a PLC that restarted with a changed program may have other nodes under a
/// browse path or rule. Items no longer resolved are removed, new ones subscribed, the rest keep flowing.
/// </summary>
public sealed partial class OpcUaSource
{
    /// <summary>True when done (or nothing changed); false when the PLC could not be asked (retried on the next tick).</summary>
    private async Task<bool> RefreshNodesAsync(UaSession session, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _writer) is not { } writer)
        {
            return true;
        }

        try
        {
            var resolution = await new OpcUaNodeResolver(session).ResolveAsync(_options.Site, _options.Nodes, cancellationToken).ConfigureAwait(false);
            var wanted = new List<MonitoredItemOptions>(resolution.Tags.Count);
            foreach (var tag in resolution.Tags)
            {
                wanted.Add(ItemFor(tag));
            }

            // multiset difference by value: node, settings and tag mapping
            var toAdd = new List<MonitoredItemOptions>(wanted);
            var removed = 0;
            foreach (var subscription in session.Subscriptions.ToArray())
            {
                var toRemove = new List<MonitoredItem>();
                foreach (var item in subscription.Items)
                {
                    var index = toAdd.IndexOf(item.Options);
                    if (index >= 0 && item.Status.IsGood)
                    {
                        toAdd.RemoveAt(index);
                    }
                    else
                    {
                        toRemove.Add(item);
                    }
                }

                if (toRemove.Count > 0)
                {
                    await subscription.RemoveItemsAsync(toRemove, cancellationToken).ConfigureAwait(false);
                    removed += toRemove.Count;
                }
            }

            if (toAdd.Count > 0)
            {
                await LoadStructureTypesAsync(session, resolution.Tags, writer, cancellationToken).ConfigureAwait(false);
                await session.SubscribeAsync(toAdd, new SubscriptionOptions { PublishingInterval = _options.PublishingInterval }, writer, cancellationToken).ConfigureAwait(false);
            }

            var subscribed = new HashSet<Telemetry.OpcUa.Encoding.ExpandedNodeId>();
            foreach (var subscription in session.Subscriptions)
            {
                foreach (var item in subscription.Items)
                {
                    if (item.Status.IsGood)
                    {
                        subscribed.Add(item.NodeId);
                    }
                }
            }

            var problems = new List<string>(resolution.Problems);
            foreach (var tag in resolution.Tags)
            {
                if (!subscribed.Contains(tag.NodeId))
                {
                    problems.Add($"{tag.Spec.Origin} {tag.Spec.Describe()}: the PLC refused to monitor {tag.NodeId} ({tag.Path.Machine}/{tag.Path.Tag}).");
                }
            }

            Volatile.Write(ref _problems, problems);
            Volatile.Write(ref _tagCount, subscribed.Count);
            if (removed > 0 || toAdd.Count > 0)
            {
                Log.NodesChanged(_logger, Name, removed, toAdd.Count, subscribed.Count);
                foreach (var problem in problems)
                {
                    Log.NodeProblem(_logger, Name, problem);
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is OpcUaException or TimeoutException)
        {
            Log.NodeProblem(_logger, Name, $"resolving the configured nodes on the new session failed ({ex.Message}); trying again");
            return false;
        }
    }
}
