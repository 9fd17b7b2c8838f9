using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Structures;

/// <summary>
/// One decoded field: a built-in value in <see cref="Value"/>, or a nested structure (<see cref="Structure"/>),
/// or an array of them (<see cref="Structures"/>).
/// </summary>
public sealed record StructureFieldValue(string Name, Variant Value, StructureValue? Structure = null, IReadOnlyList<StructureValue>? Structures = null);

/// <summary>
/// A decoded structure: its fields by name in definition order. Absent optional fields are left out; a union
/// holds its one chosen field (or none).
/// </summary>
public sealed record StructureValue(StructureType Type, IReadOnlyList<StructureFieldValue> Fields)
{
    /// <summary>The field called <paramref name="name"/>, or null.</summary>
    public StructureFieldValue? this[string name] => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Every built-in leaf with a dotted path: <c>Temperature</c>, <c>Motor.Current</c>, <c>Axes[1].Position</c>.
    /// Arrays of built-in values stay one leaf (the array).
    /// </summary>
    public IEnumerable<KeyValuePair<string, Variant>> Flatten(string prefix = "")
    {
        foreach (var field in Fields)
        {
            var path = prefix.Length == 0 ? field.Name : $"{prefix}.{field.Name}";
            if (field.Structure is { } nested)
            {
                foreach (var leaf in nested.Flatten(path))
                {
                    yield return leaf;
                }
            }
            else if (field.Structures is { } items)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    foreach (var leaf in items[i].Flatten($"{path}[{i}]"))
                    {
                        yield return leaf;
                    }
                }
            }
            else
            {
                yield return new KeyValuePair<string, Variant>(path, field.Value);
            }
        }
    }

    public override string ToString() =>
        "{" + string.Join(", ", Flatten().Select(l => $"{l.Key}={(l.Value.Value is Array a ? "[" + string.Join(",", a.Cast<object?>()) + "]" : l.Value.Value)}")) + "}";
}
