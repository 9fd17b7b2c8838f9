namespace Telemetry.Edge.Hosting;

/// <summary>What a configuration reload changed; settings that only a restart applies are named in <see cref="RestartNeeded"/>.</summary>
public sealed record ReloadReport(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Restarted,
    bool DatacenterChanged,
    IReadOnlyList<string> RestartNeeded)
{
    public bool ChangedAnything => Added.Count + Removed.Count + Restarted.Count > 0 || DatacenterChanged;

    public override string ToString()
    {
        var parts = new List<string>();
        if (Added.Count > 0)
        {
            parts.Add($"added {string.Join(", ", Added)}");
        }

        if (Removed.Count > 0)
        {
            parts.Add($"removed {string.Join(", ", Removed)}");
        }

        if (Restarted.Count > 0)
        {
            parts.Add($"restarted {string.Join(", ", Restarted)}");
        }

        if (DatacenterChanged)
        {
            parts.Add("datacenter link reconnected with the new settings");
        }

        if (parts.Count == 0)
        {
            parts.Add("nothing changed");
        }

        if (RestartNeeded.Count > 0)
        {
            parts.Add($"only a restart applies: {string.Join(", ", RestartNeeded)}");
        }

        return string.Join("; ", parts);
    }
}
