namespace Telemetry.Storage;

/// <summary>
/// Acknowledged sequence ranges above the contiguous low-water mark. The forwarder may acknowledge out of order
/// (live-first forwarding); only the low-water mark (every record below it acknowledged) is persisted. Thread-safe.
/// </summary>
internal sealed class AckTracker(long lowWater)
{
    private readonly Lock _lock = new();
    private readonly List<(long First, long Last)> _ranges = [];
    private long _lowWater = lowWater;
    private long _publishedLowWater = lowWater;
    private int _publishedRangeCount;

    /// <summary>First sequence not yet acknowledged: every record below it is.</summary>
    public long LowWater
    {
        get
        {
            lock (_lock)
            {
                return _lowWater;
            }
        }
    }

    /// <summary>Ranges acknowledged above the low-water mark (for tests and the live view).</summary>
    public int PendingRangeCount
    {
        get
        {
            lock (_lock)
            {
                return _ranges.Count;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="sequence"/> is acknowledged (below the low-water mark or in a range above it). Lock-free
    /// while no range is pending above the low-water mark, so the in-order reader pays almost nothing for it.
    /// </summary>
    public bool IsAcknowledged(long sequence)
    {
        // count first: Publish writes the low-water mark before the count, so a fresh count comes with a fresh mark
        var pendingRanges = Volatile.Read(ref _publishedRangeCount);
        if (sequence < Volatile.Read(ref _publishedLowWater))
        {
            return true;
        }

        if (pendingRanges == 0)
        {
            return false;
        }

        lock (_lock)
        {
            if (sequence < _lowWater)
            {
                return true;
            }

            // ranges are sorted and disjoint: binary search for the last one starting at or before the sequence
            var lo = 0;
            var hi = _ranges.Count - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_ranges[mid].First <= sequence)
                {
                    if (sequence <= _ranges[mid].Last)
                    {
                        return true;
                    }

                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return false;
        }
    }

    /// <summary>Marks <paramref name="first"/>..<paramref name="last"/> acknowledged; true when the low-water mark moved.</summary>
    public bool Acknowledge(long first, long last)
    {
        lock (_lock)
        {
            if (last < _lowWater)
            {
                return false;
            }

            first = Math.Max(first, _lowWater);
            var i = 0;
            while (i < _ranges.Count && _ranges[i].Last + 1 < first)
            {
                i++;
            }

            // merge every range that overlaps or touches [first, last]
            while (i < _ranges.Count && _ranges[i].First <= last + 1)
            {
                first = Math.Min(first, _ranges[i].First);
                last = Math.Max(last, _ranges[i].Last);
                _ranges.RemoveAt(i);
            }

            _ranges.Insert(i, (first, last));
            var moved = Collapse();
            Publish();
            return moved;
        }
    }

    /// <summary>Moves the low-water mark to at least <paramref name="sequence"/> (records below it were dropped).</summary>
    public bool AdvanceTo(long sequence)
    {
        lock (_lock)
        {
            if (sequence <= _lowWater)
            {
                return false;
            }

            _lowWater = sequence;
            while (_ranges.Count > 0 && _ranges[0].Last < _lowWater)
            {
                _ranges.RemoveAt(0);
            }

            Collapse();
            Publish();
            return true;
        }
    }

    /// <summary>
    /// The acknowledged parts of <paramref name="first"/>..<paramref name="endExclusive"/> - 1, as sorted disjoint
    /// ranges (empty when none is): what drop-oldest must not count as dropped.
    /// </summary>
    public (long First, long Last)[] AcknowledgedWithin(long first, long endExclusive)
    {
        lock (_lock)
        {
            List<(long First, long Last)>? result = null;
            if (first < _lowWater && first < endExclusive)
            {
                (result = []).Add((first, Math.Min(_lowWater, endExclusive) - 1));
            }

            foreach (var (rangeFirst, rangeLast) in _ranges)
            {
                var from = Math.Max(rangeFirst, first);
                var to = Math.Min(rangeLast, endExclusive - 1);
                if (from <= to)
                {
                    (result ??= []).Add((from, to));
                }
            }

            return result is null ? [] : [.. result];
        }
    }

    /// <summary>Publishes the lock-free view used by <see cref="IsAcknowledged"/> (under the lock).</summary>
    private void Publish()
    {
        Volatile.Write(ref _publishedLowWater, _lowWater);
        Volatile.Write(ref _publishedRangeCount, _ranges.Count);
    }

    private bool Collapse()
    {
        var moved = false;
        while (_ranges.Count > 0 && _ranges[0].First <= _lowWater)
        {
            _lowWater = Math.Max(_lowWater, _ranges[0].Last + 1);
            _ranges.RemoveAt(0);
            moved = true;
        }

        return moved;
    }
}
