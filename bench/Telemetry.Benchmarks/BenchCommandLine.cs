using System.Globalization;

namespace Telemetry.Benchmarks;

/// <summary>What the hand-run bench commands (opcua-security-ratio, ingest-path-breakdown) share: options and the load.</summary>
internal static class BenchCommandLine
{
    /// <summary>The integer after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    public static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The one-minute load average, printed beside each figure (the machine is shared).</summary>
    public static string LoadAverage(string unreadable = "n/a")
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return unreadable;
        }
    }
}
