using System.Diagnostics;
using System.Globalization;

namespace Telemetry.IngestLoad;

/// <summary>
/// Pins a process (every thread) to one CPU with taskset, so the store and the ingest each get a core of their own
/// on a two-core machine, as they would on the datacenter's separate machines.
/// </summary>
public static class CpuPinning
{
    public static async Task PinAsync(int pid, int cpu)
    {
        using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", cpu.ToString(CultureInfo.InvariantCulture), pid.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("taskset could not be started");
        var error = await taskset.StandardError.ReadToEndAsync();
        await taskset.WaitForExitAsync();
        if (taskset.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset -a -p -c {cpu} {pid} failed ({taskset.ExitCode}): {error.Trim()}");
        }
    }
}
