using System.Globalization;

namespace Telemetry.NodeRedAnchor;

/// <summary>CPU time and peak resident set of one Linux process, read from /proc (proc(5)).</summary>
internal static class ProcStat
{
    // USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100.0;

    /// <summary>utime + stime of <paramref name="pid"/> in seconds.</summary>
    public static double CpuSeconds(int pid) => ParseCpuSeconds(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"));

    /// <summary>VmHWM (peak RSS) of <paramref name="pid"/> in bytes.</summary>
    public static long PeakRssBytes(int pid) => ParsePeakRssBytes(File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"));

    // "PID (comm) S ppid ..." — comm may hold spaces and ')', so fields are counted after the last ')'. After it,
    // field 3 (state) is index 0, field 14 utime index 11, field 15 stime index 12.
    internal static double ParseCpuSeconds(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 > stat.Length)
        {
            throw new FormatException($"/proc/PID/stat: no '(comm)' in '{stat}'.");
        }

        var fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime))
        {
            throw new FormatException($"/proc/PID/stat: no utime/stime in '{stat}'.");
        }

        return (utime + stime) / TicksPerSecond;
    }

    internal static long ParsePeakRssBytes(IEnumerable<string> statusLines)
    {
        foreach (var line in statusLines)
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                continue;
            }

            // "VmHWM:\t  123456 kB"
            var parts = line["VmHWM:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
            {
                return kib * 1024;
            }

            throw new FormatException($"/proc/PID/status: unexpected '{line}'.");
        }

        throw new FormatException("/proc/PID/status has no VmHWM line.");
    }
}
