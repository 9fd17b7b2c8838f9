using System.Globalization;

namespace Telemetry.Harness.Measure;

/// <summary>
/// CPU seconds (user + system from /proc/PID/stat) and peak RSS (VmHWM, and VmRSS as sampled) of one role — edge,
/// ingest, store, PLC — across restarts: when the role's process id changes, the old process's last reading is kept.
/// </summary>
public sealed class ProcessMeter
{
    private readonly Func<int?> _pid;
    private readonly Dictionary<int, double> _lastCpuByPid = [];
    private double _baseline;

    public ProcessMeter(string role, Func<int?> pid)
    {
        Role = role;
        _pid = pid;
    }

    public string Role { get; }

    public long PeakRssBytes { get; private set; }

    public long CurrentRssBytes { get; private set; }

    /// <summary>CPU seconds of every process this role had, since <see cref="ResetBaseline"/>.</summary>
    public double CpuSeconds => TotalCpu() - _baseline;

    /// <summary>Reads the current process (call about once a second and at the end).</summary>
    public void Sample()
    {
        if (_pid() is not { } pid)
        {
            CurrentRssBytes = 0;
            return;
        }

        try
        {
            _lastCpuByPid[pid] = ReadCpuSeconds(pid);
            var (rss, hwm) = ReadRss(pid);
            CurrentRssBytes = rss;
            PeakRssBytes = Math.Max(PeakRssBytes, Math.Max(rss, hwm));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // the process just exited; its last reading stays
        }
    }

    /// <summary>Starts the measured window: CPU counts from here, the peak RSS starts again.</summary>
    public void ResetBaseline()
    {
        Sample();
        _baseline = TotalCpu();
        PeakRssBytes = CurrentRssBytes;
    }

    private double TotalCpu()
    {
        var sum = 0.0;
        foreach (var cpu in _lastCpuByPid.Values)
        {
            sum += cpu;
        }

        return sum;
    }

    public static double ReadCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "(comm) ": state is [0]; utime [11], stime [12] in clock ticks (USER_HZ, 100 per second on Linux).
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static (long Rss, long Hwm) ReadRss(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }

        return (rss, hwm);

        static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
