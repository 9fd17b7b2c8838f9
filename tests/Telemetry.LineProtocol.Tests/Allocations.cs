namespace Telemetry.LineProtocol.Tests;

public static class Allocations
{
    /// <summary>Bytes allocated by <paramref name="action"/> on this thread in steady state: after warm-up runs,
    /// the least of several measured runs (JIT tiering may allocate once in a run; a real allocation shows in all).</summary>
    public static long SteadyState(Action action)
    {
        for (var i = 0; i < 30; i++)
        {
            action();
        }

        var least = long.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
