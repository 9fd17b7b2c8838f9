using System.Reflection;

namespace Telemetry.Edge.Hosting;

/// <summary>The agent's version as the build stamped it (informational version: semver + commit).</summary>
public static class EdgeVersion
{
    public static string Current { get; } =
        (Assembly.GetEntryAssembly() ?? typeof(EdgeVersion).Assembly)
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
