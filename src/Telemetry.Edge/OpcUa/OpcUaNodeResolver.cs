using Telemetry.Core;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;

namespace Telemetry.Edge.OpcUa;

/// <summary>A configured node found on the PLC: its id (with namespace URI) and the asset path its samples get.</summary>
public sealed record OpcUaResolvedTag(ExpandedNodeId NodeId, AssetPath Path, OpcUaNodeSpec Spec);

/// <summary>What resolving a source's node list found: the tags, and one line per entry the PLC does not have.</summary>
public sealed record OpcUaResolution(IReadOnlyList<OpcUaResolvedTag> Tags, IReadOnlyList<string> Problems);

/// <summary>
/// Turns the configured node list into node ids on one session: ids are checked against the session's namespace
/// table and read (BrowseName, which also proves the node exists), browse paths and rules are browsed from the
/// Objects folder by browse name. Everything is named by namespace URI, so the result stays right when the PLC
/// restarts with other namespace indexes.
/// </summary>
public sealed class OpcUaNodeResolver
{
    private readonly UaSession _session;
    private readonly Dictionary<ExpandedNodeId, IReadOnlyList<BrowsedNode>> _children = [];

    public OpcUaNodeResolver(UaSession session)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session));
    }

    public static ExpandedNodeId ObjectsFolder => new(new NodeId(UaNodeIds.ObjectsFolder));

    public async Task<OpcUaResolution> ResolveAsync(string site, IReadOnlyList<OpcUaNodeSpec> specs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var tags = new List<OpcUaResolvedTag>();
        var problems = new List<string>();
        var seen = new Dictionary<AssetPath, OpcUaNodeSpec>();

        void Add(ExpandedNodeId id, string tag, OpcUaNodeSpec spec)
        {
            var path = new AssetPath(site, spec.Area, spec.Line, spec.Machine, tag);
            if (seen.TryGetValue(path, out var first))
            {
                problems.Add($"{spec.Origin} {spec.Describe()}: tag {spec.Machine}/{tag} is already mapped by {first.Origin} {first.Describe()}; skipped.");
                return;
            }

            seen[path] = spec;
            tags.Add(new OpcUaResolvedTag(id, path, spec));
        }

        await ResolveNodeIdsAsync(specs, problems, Add, cancellationToken).ConfigureAwait(false);
        foreach (var spec in specs)
        {
            if (spec.Selector == OpcUaNodeSelector.NodeId)
            {
                continue;
            }

            try
            {
                var node = await FindPathAsync(spec.Path, cancellationToken).ConfigureAwait(false);
                if (spec.Selector == OpcUaNodeSelector.BrowsePath)
                {
                    if (node.NodeClass != NodeClass.Variable)
                    {
                        problems.Add($"{spec.Origin} {spec.Describe()}: is a {node.NodeClass}, not a variable; use browse: to take every variable under it.");
                        continue;
                    }

                    Add(node.NodeId, spec.Tag ?? TagName(node.BrowseName.Name), spec);
                }
                else
                {
                    var found = await CollectVariablesAsync(node.NodeId, spec.Depth, cancellationToken).ConfigureAwait(false);
                    if (found.Count == 0)
                    {
                        problems.Add($"{spec.Origin} {spec.Describe()}: no variables under it (depth {spec.Depth}).");
                    }

                    foreach (var (id, relative) in found)
                    {
                        Add(id, spec.Tag is null ? relative : $"{spec.Tag}.{relative}", spec);
                    }
                }
            }
            catch (OpcUaException ex) when (ex.StatusCode.Code is StatusCodes.BadNoMatch or StatusCodes.BadBrowseNameInvalid or StatusCodes.BadTooManyMatches
                or StatusCodes.BadNodeIdUnknown or StatusCodes.BadTooManyMonitoredItems)
            {
                problems.Add($"{spec.Origin} {spec.Describe()}: {ex.Message}");
            }
        }

        return new OpcUaResolution(tags, problems);
    }

    /// <summary>The child named <c>name</c> of each step, from Objects ("Objects" itself may lead the path).</summary>
    public async Task<BrowsedNode> FindPathAsync(IReadOnlyList<string> path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var start = path.Count > 0 && path[0] == "Objects" ? 1 : 0;
        var current = new BrowsedNode(ObjectsFolder, new QualifiedName(0, "Objects"), "Objects", NodeClass.Object, default, default);
        for (var i = start; i < path.Count; i++)
        {
            BrowsedNode? match = null;
            foreach (var child in await ChildrenAsync(current.NodeId, cancellationToken).ConfigureAwait(false))
            {
                if (string.Equals(child.BrowseName.Name, path[i], StringComparison.Ordinal))
                {
                    if (match is not null && match.NodeId != child.NodeId)
                    {
                        throw new OpcUaException(
                            new StatusCode(StatusCodes.BadTooManyMatches),
                            $"'{path[i]}' under {string.Join('/', path.Take(i))} is ambiguous ({match.NodeId} and {child.NodeId}); name the node by id instead.");
                    }

                    match = child;
                }
            }

            if (match is null)
            {
                var names = (await ChildrenAsync(current.NodeId, cancellationToken).ConfigureAwait(false)).Select(c => c.BrowseName.Name).Take(12);
                throw new OpcUaException(
                    new StatusCode(StatusCodes.BadNoMatch),
                    $"no '{path[i]}' under {(i == 0 ? "Objects" : string.Join('/', path.Take(i)))} (it has: {string.Join(", ", names)}).");
            }

            current = match;
        }

        return current;
    }

    /// <summary>Every variable (not properties) below <paramref name="folder"/>, with its browse names from there joined by '.'.</summary>
    public async Task<IReadOnlyList<(ExpandedNodeId Id, string Tag)>> CollectVariablesAsync(ExpandedNodeId folder, int depth, CancellationToken cancellationToken = default)
    {
        var found = new List<(ExpandedNodeId, string)>();
        var visited = new HashSet<ExpandedNodeId> { folder };
        var level = new List<(ExpandedNodeId Id, string Prefix)> { (folder, string.Empty) };
        for (var d = 0; d < depth && level.Count > 0; d++)
        {
            var next = new List<(ExpandedNodeId, string)>();
            foreach (var (id, prefix) in level)
            {
                foreach (var child in await ChildrenAsync(id, cancellationToken).ConfigureAwait(false))
                {
                    if (!visited.Add(child.NodeId))
                    {
                        continue;
                    }

                    var name = prefix.Length == 0 ? TagName(child.BrowseName.Name) : $"{prefix}.{TagName(child.BrowseName.Name)}";
                    if (child.NodeClass == NodeClass.Variable && child.ReferenceTypeId != new NodeId(UaNodeIds.HasProperty))
                    {
                        found.Add((child.NodeId, name));
                        if (found.Count > OpcUaSourceOptions.MaxRuleVariables)
                        {
                            throw new OpcUaException(
                                new StatusCode(StatusCodes.BadTooManyMonitoredItems),
                                $"more than {OpcUaSourceOptions.MaxRuleVariables} variables; lower depth or pick a smaller folder.");
                        }
                    }
                    else if (child.NodeClass == NodeClass.Object)
                    {
                        next.Add((child.NodeId, name));
                    }
                }
            }

            level = next;
        }

        return found;
    }

    /// <summary>A browse name as a tag name: letters, digits, '-', '_' and '.' kept, anything else becomes '_'.</summary>
    public static string TagName(string? browseName)
    {
        if (string.IsNullOrEmpty(browseName))
        {
            return "_";
        }

        return string.Create(browseName.Length, browseName, static (span, name) =>
        {
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_';
            }
        });
    }

    private async Task ResolveNodeIdsAsync(IReadOnlyList<OpcUaNodeSpec> specs, List<string> problems, Action<ExpandedNodeId, string, OpcUaNodeSpec> add, CancellationToken cancellationToken)
    {
        var byId = new List<OpcUaNodeSpec>();
        foreach (var spec in specs)
        {
            if (spec.Selector != OpcUaNodeSelector.NodeId)
            {
                continue;
            }

            if (spec.NodeId.NamespaceUri is { } uri && !_session.Namespaces.TryGetIndex(uri, out _))
            {
                problems.Add($"{spec.Origin} {spec.Describe()}: the PLC has no namespace '{uri}' (it has: {string.Join(", ", _session.Namespaces.Uris)}).");
                continue;
            }

            byId.Add(spec);
        }

        if (byId.Count == 0)
        {
            return;
        }

        var names = await _session.ReadAsync([.. byId.Select(s => s.NodeId)], AttributeId.BrowseName, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < byId.Count; i++)
        {
            var spec = byId[i];
            if (names[i].StatusCode.IsBad)
            {
                problems.Add($"{spec.Origin} {spec.Describe()}: the PLC does not know this node ({names[i].StatusCode}).");
                continue;
            }

            var browseName = names[i].Value.Value is QualifiedName q ? q.Name : null;
            add(spec.NodeId, spec.Tag ?? TagName(browseName), spec);
        }
    }

    private async Task<IReadOnlyList<BrowsedNode>> ChildrenAsync(ExpandedNodeId node, CancellationToken cancellationToken)
    {
        if (!_children.TryGetValue(node, out var children))
        {
            children = await _session.BrowseAsync(node, NodeClass.Object | NodeClass.Variable, cancellationToken).ConfigureAwait(false);
            _children[node] = children;
        }

        return children;
    }
}
