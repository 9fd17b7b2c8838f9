namespace Telemetry.Harness.Measure;

/// <summary>Latencies in whole milliseconds, 1 ms buckets up to 10 minutes (beyond: the last bucket); thread-safe.</summary>
public sealed class LatencyHistogram
{
    private const int MaxMs = 600_000;
    private readonly long[] _buckets = new long[MaxMs + 1];
    private long _count;
    private long _max;

    public long Count => Interlocked.Read(ref _count);

    public long MaxMilliseconds => Interlocked.Read(ref _max);

    public void Add(long milliseconds)
    {
        var ms = Math.Clamp(milliseconds, 0, MaxMs);
        Interlocked.Increment(ref _buckets[ms]);
        Interlocked.Increment(ref _count);
        long max;
        while (ms > (max = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, ms, max) != max)
        {
        }
    }

    /// <summary>A copy of the bucket counts now, so that a later copy minus this one is the histogram of the time between (a soak window).</summary>
    public long[] Snapshot()
    {
        var copy = new long[_buckets.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _buckets[i]);
        }

        return copy;
    }

    /// <summary>The value at quantile q (0..1) of what was added between two snapshots, or NaN when nothing was.</summary>
    public static double PercentileBetween(long[] earlier, long[] later, double q)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(later);
        long count = 0;
        for (var i = 0; i < later.Length; i++)
        {
            count += later[i] - earlier[i];
        }

        if (count <= 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * count));
        long seen = 0;
        for (var i = 0; i < later.Length; i++)
        {
            seen += later[i] - earlier[i];
            if (seen >= rank)
            {
                return i;
            }
        }

        return later.Length - 1;
    }

    /// <summary>The value at quantile q (0..1), or NaN when empty.</summary>
    public double Percentile(double q)
    {
        var count = Count;
        if (count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(q * count);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                return i;
            }
        }

        return MaxMs;
    }
}
