using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;
using Telemetry.OpcUa.Structures;

namespace Telemetry.OpcUa.Client;

public sealed partial class UaSession
{
    /// <summary>Most distinct data types one load follows (a PLC program has tens; a loop or a hostile server stops here).</summary>
    private const int MaxStructureTypes = 2000;

    /// <summary>Most HasSubtype steps from a type up to its built-in ancestor.</summary>
    private const int MaxSubtypeDepth = 16;

    /// <summary>
    /// Loads the structured DataTypes <paramref name="dataTypes"/> (typically the DataType attributes of the
    /// variables to monitor) from their DataTypeDefinition attributes, following the types of their fields:
    /// nested structures, enumerations (Int32) and subtypes of built-in types (HasSubtype up to the built-in one).
    /// Built-in ids and types without a usable definition (a server older than 1.04, or a structure with a field
    /// of such a type) are left out: their values stay raw ExtensionObjects.
    /// </summary>
    public async Task<StructureTypeLibrary> LoadStructureTypesAsync(IEnumerable<ExpandedNodeId> dataTypes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataTypes);
        var definitions = new Dictionary<ExpandedNodeId, (string Name, StructureDefinition Definition)>();
        var simple = new Dictionary<ExpandedNodeId, BuiltInType>();
        var opaque = new HashSet<ExpandedNodeId>();
        var pending = new HashSet<ExpandedNodeId>();
        foreach (var id in dataTypes)
        {
            var expanded = Namespaces.ToExpanded(id);
            if (BuiltInOf(expanded) is null)
            {
                pending.Add(expanded);
            }
        }

        while (pending.Count > 0)
        {
            if (definitions.Count + simple.Count + opaque.Count + pending.Count > MaxStructureTypes)
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadTooManyOperations), $"{EndpointUrl}: more than {MaxStructureTypes} data types to follow for structure decoding.");
            }

            var batch = pending.ToArray();
            pending.Clear();
            var attributes = await ReadAsync(batch, AttributeId.DataTypeDefinition, cancellationToken).ConfigureAwait(false);
            var names = await ReadAsync(batch, AttributeId.BrowseName, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Length; i++)
            {
                var id = batch[i];
                var value = attributes[i].StatusCode.IsBad ? default : attributes[i].Value;
                if (StructureDefinition.FromAttribute(value, _options.Limits) is { } definition)
                {
                    var name = names[i].Value.Value is QualifiedName { Name: { } n } ? n : id.ToString();
                    definitions[id] = (name, definition);
                    foreach (var field in definition.Fields)
                    {
                        var fieldType = Namespaces.ToExpanded(field.DataType);
                        if (BuiltInOf(fieldType) is null && !definitions.ContainsKey(fieldType) && !simple.ContainsKey(fieldType) && !opaque.Contains(fieldType))
                        {
                            pending.Add(fieldType);
                        }
                    }
                }
                else if (StructureDefinition.IsEnumDefinition(value))
                {
                    simple[id] = BuiltInType.Int32;
                }
                else if (await BuiltInAncestorAsync(id, cancellationToken).ConfigureAwait(false) is { } builtIn and not BuiltInType.ExtensionObject)
                {
                    simple[id] = builtIn;
                }
                else
                {
                    opaque.Add(id); // a structure whose layout the server does not tell
                }
            }
        }

        var types = new Dictionary<ExpandedNodeId, StructureType>();
        foreach (var (id, (name, definition)) in definitions)
        {
            types[id] = new StructureType(name, id, Namespaces.ToExpanded(definition.DefaultEncodingId), definition.Kind);
        }

        foreach (var (id, (_, definition)) in definitions)
        {
            var fields = new List<StructureField>(definition.Fields.Count);
            foreach (var field in definition.Fields)
            {
                var fieldType = Namespaces.ToExpanded(field.DataType);
                var codec = BuiltInOf(fieldType) is { } builtIn ? FieldCodec.Of(builtIn)
                    : types.TryGetValue(fieldType, out var nested) ? FieldCodec.Of(nested)
                    : simple.TryGetValue(fieldType, out var simpleType) ? FieldCodec.Of(simpleType)
                    : default;
                if (codec.BuiltInType == BuiltInType.Null)
                {
                    opaque.Add(id);
                }

                fields.Add(new StructureField(field.Name, codec, field.ValueRank, field.IsOptional));
            }

            types[id].SetFields(fields);
        }

        // A structure with a field of an undecodable type cannot be decoded either (its fields are in line).
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (id, type) in types)
            {
                if (!opaque.Contains(id) && type.Fields.Any(f => f.Codec.Structure is { } s && opaque.Contains(s.DataTypeId)))
                {
                    opaque.Add(id);
                    changed = true;
                }
            }
        }

        return new StructureTypeLibrary(types.Where(t => !opaque.Contains(t.Key)).Select(t => t.Value));
    }

    /// <summary>The built-in type a DataType is encoded as, following HasSubtype upwards; null when none is found.</summary>
    private async Task<BuiltInType?> BuiltInAncestorAsync(ExpandedNodeId dataType, CancellationToken cancellationToken)
    {
        var current = dataType;
        for (var depth = 0; depth < MaxSubtypeDepth; depth++)
        {
            IReadOnlyList<BrowsedNode> parents;
            try
            {
                parents = await BrowseReferencesAsync(current, BrowseDirection.Inverse, UaNodeIds.HasSubtype, cancellationToken).ConfigureAwait(false);
            }
            catch (OpcUaException ex) when (ex.StatusCode.Code is StatusCodes.BadNodeIdUnknown or StatusCodes.BadNodeIdInvalid)
            {
                return null;
            }

            if (parents.Count == 0)
            {
                return null;
            }

            current = parents[0].NodeId;
            if (BuiltInOf(current) is { } builtIn)
            {
                return builtIn;
            }
        }

        return null;
    }

    /// <summary>
    /// How a namespace-0 DataType is encoded in a structure field: the 25 built-in types as themselves,
    /// Enumeration as Int32, the abstract number and base types as a Variant, Structure as an ExtensionObject.
    /// </summary>
    private static BuiltInType? BuiltInOf(ExpandedNodeId dataType)
    {
        if (dataType.NamespaceUri is not null || dataType.ServerIndex != 0 || dataType.NodeId.NamespaceIndex != 0 || dataType.NodeId.IdType != NodeIdType.Numeric)
        {
            return null;
        }

        var id = dataType.NodeId.NumericIdentifier;
        return id switch
        {
            >= 1 and <= 25 => (BuiltInType)id, // the DataType nodes i=1..25 are the built-in types (22 Structure, 24 BaseDataType)
            UaNodeIds.Enumeration => BuiltInType.Int32,
            UaNodeIds.Number or UaNodeIds.Integer or UaNodeIds.UInteger => BuiltInType.Variant,
            _ => null,
        };
    }
}
