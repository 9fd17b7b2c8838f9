using System.Reflection;

namespace Telemetry.Harness.Rig;

/// <summary>Where the checkout is (the build stamps it into the assembly: output may live outside the tree).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value
        ?? throw new DirectoryNotFoundException("The harness assembly does not name its repository root.");

    public static string OpcUaPlc => Path.Combine(Root, "hardware", "opcua-plc");

    /// <summary>A file next to the harness (the referenced executables are copied into its output folder).</summary>
    public static string Beside(string fileName) => Path.Combine(AppContext.BaseDirectory, fileName);
}
