using Telemetry.Core;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Structures;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// Turns a PLC's structured value (a user-defined type, an ExtensionObject) into one sample per leaf field, named
/// after the configured tag: <c>press_state.Temperature</c>, <c>robot.Axes[1].Position</c>. The types come from
/// the PLC's DataTypeDefinition attributes (<see cref="UaSession.LoadStructureTypesAsync"/>) when the source
/// subscribes. A value of an unknown type, or a body that does not match its definition, stays one sample
/// (its text) and is counted, so nothing is dropped silently.
/// </summary>
internal sealed class OpcUaStructureFlattener
{
    private const int MaxCachedPaths = 100_000;

    private readonly Dictionary<(AssetPath Parent, string Leaf), AssetPath> _paths = [];
    private volatile Binding? _binding;
    private long _undecodable;

    /// <summary>Values that were structures the agent could not decode (written as text instead).</summary>
    public long Undecodable => Interlocked.Read(ref _undecodable);

    /// <summary>Types to decode with, read against <paramref name="session"/>'s current namespace table.</summary>
    public void Use(StructureTypeLibrary library, UaSession session) => _binding = new Binding(library, session);

    /// <summary>
    /// Appends the samples of <paramref name="value"/> when it is a structure of a known type and returns true;
    /// false leaves the value to the plain converter. Called on the session's publish loop only.
    /// </summary>
    public bool TryFlatten(AssetPath path, in DataValue value, long receiveTimeNs, List<Sample> output)
    {
        if (value.Value.Type != BuiltInType.ExtensionObject || value.Value.IsArray || value.Value.Value is not ExtensionObject structure
            || _binding is not { } binding)
        {
            return false;
        }

        StructureValue decoded;
        try
        {
            if (!binding.Library.TryDecode(structure, binding.Session.Namespaces, out decoded))
            {
                Interlocked.Increment(ref _undecodable);
                return false;
            }
        }
        catch (OpcUaException)
        {
            Interlocked.Increment(ref _undecodable);
            return false;
        }

        var time = OpcUaValueConverter.SourceTime(in value, receiveTimeNs);
        var quality = Quality.FromOpcUaStatus(value.StatusCode.Code);
        foreach (var leaf in decoded.Flatten())
        {
            output.Add(new Sample(PathOf(path, leaf.Key), time, OpcUaValueConverter.ToValue(leaf.Value), quality, receiveTimeNs));
        }

        return true;
    }

    private AssetPath PathOf(AssetPath parent, string leaf)
    {
        if (_paths.TryGetValue((parent, leaf), out var path))
        {
            return path;
        }

        if (_paths.Count >= MaxCachedPaths)
        {
            _paths.Clear();
        }

        path = parent.WithTag($"{parent.Tag}.{leaf}");
        _paths[(parent, leaf)] = path;
        return path;
    }

    private sealed record Binding(StructureTypeLibrary Library, UaSession Session);
}
