namespace Telemetry.Core;

/// <summary>
/// Where a tag lives, ISA-95 style: site / area / line / machine / tag. Resolved from configuration, never from
/// protocol details (OPC UA namespace indexes, MQTT client ids). Immutable; sources create one per tag once and
/// reuse the instance for every sample, so a sample costs a reference, not five strings.
/// </summary>
public sealed class AssetPath : IEquatable<AssetPath>
{
    private readonly int _hash;

    public AssetPath(string site, string area, string line, string machine, string tag)
    {
        Site = Validate(site, nameof(site));
        Area = area ?? string.Empty;
        Line = line ?? string.Empty;
        Machine = Validate(machine, nameof(machine));
        Tag = Validate(tag, nameof(tag));
        _hash = HashCode.Combine(Site, Area, Line, Machine, Tag);
    }

    public string Site { get; }

    /// <summary>May be empty when the plant has no area level.</summary>
    public string Area { get; }

    /// <summary>May be empty when the plant has no line level.</summary>
    public string Line { get; }

    public string Machine { get; }

    public string Tag { get; }

    /// <summary>The machine this tag belongs to, as a stable key ("site/area/line/machine").</summary>
    public string MachineKey => string.Join('/', Site, Area, Line, Machine);

    /// <summary>Parses "site/area/line/machine/tag" (five segments, area and line may be empty).</summary>
    public static AssetPath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('/');
        if (parts.Length != 5)
        {
            throw new FormatException($"Asset path '{path}' must have five segments: site/area/line/machine/tag.");
        }

        return new AssetPath(parts[0], parts[1], parts[2], parts[3], parts[4]);
    }

    public AssetPath WithTag(string tag) => new(Site, Area, Line, Machine, tag);

    public bool Equals(AssetPath? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (_hash == other._hash && Site == other.Site && Area == other.Area && Line == other.Line &&
             Machine == other.Machine && Tag == other.Tag));

    public override bool Equals(object? obj) => Equals(obj as AssetPath);

    public override int GetHashCode() => _hash;

    public override string ToString() => string.Join('/', Site, Area, Line, Machine, Tag);

    private static string Validate(string value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"The asset path's {name} must not be empty.", name);
        }

        return value;
    }
}
