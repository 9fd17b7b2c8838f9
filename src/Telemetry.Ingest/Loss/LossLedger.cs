using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Loss;

/// <summary>A hole in an edge's delivered spool sequence.</summary>
public sealed record SpoolGap(string Site, string Edge, long FirstMissing, long LastMissing, DateTimeOffset NoticedAt, bool Lost)
{
    public long Records => LastMissing - FirstMissing + 1;

    /// <summary>"site S, edge E: N records missing (spool 10-19) since t": the alert text.</summary>
    public string Describe() =>
        $"site {Site}, edge {Edge}: {Records} spool record(s) {(Lost ? "lost" : "missing")} (sequence {FirstMissing}-{LastMissing}), noticed {NoticedAt:u}";
}

/// <summary>Per-edge counters for /metrics and /api/edges.</summary>
public sealed record EdgeAccount(string Site, string Edge, long Requests, long HighestSequence, long RecordsMissing, long RecordsLost, DateTimeOffset LastSeen);

/// <summary>
/// End-to-end loss accounting: per site and edge, the spool sequence ranges the store acknowledged. A hole below the
/// highest sequence seen is "missing" at first (the edge's live-first forwarder sends the backlog behind fresh data,
/// and requests run in parallel), and "lost" once it stayed open for <see cref="LossOptions.Grace"/>: then it is
/// counted and reported ("site S, edge E: N records lost between ..."). Late ranges close holes, lost ones too (the
/// count of lost records then goes back down). The ledger starts when it first hears of an edge (so after an ingest
/// restart it starts afresh). With several ingest instances, route each edge to one instance (hash on the
/// X-Telemetry-Edge header) or each instance sees holes that another instance filled.
/// </summary>
public sealed class LossLedger(LossOptions options, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Site, string Edge), EdgeRanges> _edges = [];

    public void Record(string site, string edge, long first, long last)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(edge);
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (!_edges.TryGetValue((site, edge), out var ranges))
            {
                if (_edges.Count >= 100_000)
                {
                    return;
                }

                ranges = new EdgeRanges(site, edge);
                _edges[(site, edge)] = ranges;
            }

            ranges.Add(first, last, now, options.MaxRangesPerEdge);
        }
    }

    /// <summary>The holes now, oldest first, marked lost when older than the grace period.</summary>
    public IReadOnlyList<SpoolGap> Gaps(string? site = null)
    {
        var now = timeProvider.GetUtcNow();
        var gaps = new List<SpoolGap>();
        lock (_lock)
        {
            foreach (var ranges in _edges.Values)
            {
                if (site is null || ranges.Site == site)
                {
                    ranges.CollectGaps(gaps, now, options.Grace);
                }
            }
        }

        return gaps;
    }

    public IReadOnlyList<EdgeAccount> Accounts(string? site = null)
    {
        var now = timeProvider.GetUtcNow();
        var accounts = new List<EdgeAccount>();
        var gaps = new List<SpoolGap>();
        lock (_lock)
        {
            foreach (var r in _edges.Values)
            {
                if (site is not null && r.Site != site)
                {
                    continue;
                }

                gaps.Clear();
                r.CollectGaps(gaps, now, options.Grace);
                long missing = 0, lost = 0;
                foreach (var g in gaps)
                {
                    missing += g.Records;
                    lost += g.Lost ? g.Records : 0;
                }

                accounts.Add(new EdgeAccount(r.Site, r.Edge, r.Requests, r.Highest, missing, lost, r.LastSeen));
            }
        }

        return accounts;
    }

    /// <summary>Sorted, merged, inclusive ranges of one edge; each hole remembers when it was first seen.</summary>
    private sealed class EdgeRanges(string site, string edge)
    {
        private readonly List<(long First, long Last)> _ranges = [];
        private readonly Dictionary<long, DateTimeOffset> _holeSince = [];

        public string Site { get; } = site;

        public string Edge { get; } = edge;

        public long Requests { get; private set; }

        public long Highest => _ranges.Count == 0 ? -1 : _ranges[^1].Last;

        public DateTimeOffset LastSeen { get; private set; }

        public void Add(long first, long last, DateTimeOffset now, int maxRanges)
        {
            Requests++;
            LastSeen = now;
            var i = LowerBound(first);
            // The hole this range falls into (if any) keeps its age when the range splits it in two.
            var since = i > 0 && _holeSince.TryGetValue(_ranges[i - 1].Last + 1, out var t) ? t : now;
            if (i > 0 && _ranges[i - 1].Last >= first - 1)
            {
                i--;
                first = Math.Min(first, _ranges[i].First);
                last = Math.Max(last, _ranges[i].Last);
                _ranges.RemoveAt(i);
            }

            while (i < _ranges.Count && _ranges[i].First <= last + 1)
            {
                last = Math.Max(last, _ranges[i].Last);
                _ranges.RemoveAt(i);
            }

            _ranges.Insert(i, (first, last));
            if (_holeSince.Count > 0)
            {
                // Holes are keyed by their first missing sequence; those now inside the range are closed.
                foreach (var key in _holeSince.Keys)
                {
                    if (key >= first && key <= last + 1)
                    {
                        _holeSince.Remove(key);
                    }
                }
            }

            if (i > 0)
            {
                _holeSince.TryAdd(_ranges[i - 1].Last + 1, since);
            }

            if (i < _ranges.Count - 1)
            {
                _holeSince[last + 1] = i > 0 ? since : now;
            }

            while (_ranges.Count > maxRanges)
            {
                // Forget the oldest hole (bounded memory for an edge that loses a lot): it stays counted in the log.
                _holeSince.Remove(_ranges[0].Last + 1);
                _ranges[1] = (_ranges[0].First, _ranges[1].Last);
                _ranges.RemoveAt(0);
            }
        }

        public void CollectGaps(List<SpoolGap> gaps, DateTimeOffset now, TimeSpan grace)
        {
            for (var i = 1; i < _ranges.Count; i++)
            {
                var firstMissing = _ranges[i - 1].Last + 1;
                var since = _holeSince.TryGetValue(firstMissing, out var t) ? t : now;
                gaps.Add(new SpoolGap(Site, Edge, firstMissing, _ranges[i].First - 1, since, now - since >= grace));
            }
        }

        private int LowerBound(long first)
        {
            int lo = 0, hi = _ranges.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_ranges[mid].First < first)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
