using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Structures;

/// <summary>
/// The structured types a client knows, found by the encoding id an ExtensionObject carries. Keys name their
/// namespace by URI, so the library stays right when a PLC restart renumbers its namespaces.
/// </summary>
public sealed class StructureTypeLibrary
{
    private readonly Dictionary<ExpandedNodeId, StructureType> _byEncoding = [];
    private readonly Dictionary<ExpandedNodeId, StructureType> _byDataType = [];

    public static StructureTypeLibrary Empty { get; } = new([]);

    public StructureTypeLibrary(IEnumerable<StructureType> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        foreach (var type in types)
        {
            _byEncoding[type.EncodingId] = type;
            _byDataType[type.DataTypeId] = type;
        }
    }

    public int Count => _byEncoding.Count;

    public IEnumerable<StructureType> Types => _byDataType.Values;

    public bool TryGetByDataType(ExpandedNodeId dataTypeId, out StructureType type) => _byDataType.TryGetValue(dataTypeId, out type!);

    public bool TryGetByEncoding(ExpandedNodeId encodingId, out StructureType type) => _byEncoding.TryGetValue(encodingId, out type!);

    /// <summary>
    /// Decodes <paramref name="value"/> when it is a binary ExtensionObject of a known type; its TypeId is
    /// read with <paramref name="namespaces"/> (the session's current table). Malformed bodies throw
    /// <see cref="OpcUaException"/>.
    /// </summary>
    public bool TryDecode(ExtensionObject value, NamespaceTable namespaces, out StructureValue decoded, UaLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(namespaces);
        if (value.Encoding == ExtensionObjectEncoding.Binary && TryGetByEncoding(namespaces.ToExpanded(value.TypeId), out var type))
        {
            decoded = StructureDecoder.Decode(type, value.Body.Span, limits);
            return true;
        }

        decoded = null!;
        return false;
    }
}
