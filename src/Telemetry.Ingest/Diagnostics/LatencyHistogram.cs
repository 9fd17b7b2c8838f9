namespace Telemetry.Ingest.Diagnostics;

/// <summary>A lock-free fixed-bucket histogram of seconds (Prometheus <c>le</c> buckets), for write latencies.</summary>
public sealed class LatencyHistogram
{
    private static readonly double[] Bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly long[] _counts = new long[Bounds.Length + 1];
    private long _sumMicroseconds;

    public static IReadOnlyList<double> UpperBounds => Bounds;

    public void Record(TimeSpan elapsed)
    {
        var seconds = elapsed.TotalSeconds;
        var i = 0;
        while (i < Bounds.Length && seconds > Bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1e6));
    }

    /// <summary>Cumulative counts per bound (the last is +Inf), the total count and the sum in seconds.</summary>
    public (long[] Cumulative, long Count, double Sum) Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Volatile.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return (cumulative, running, Volatile.Read(ref _sumMicroseconds) / 1e6);
    }
}
