using System.Collections.Concurrent;

namespace Telemetry.Ingest.Diagnostics;

#pragma warning disable CA1051 // counters are fields so that Interlocked can update them in place

/// <summary>One site's write counters (Interlocked; read by /metrics).</summary>
public sealed class SiteCounters
{
    public long Requests;
    public long Points;
    public long Bytes;
    public long Malformed;
    public long Forbidden;
    public long StoreRejected;
    public long StoreUnavailable;
    public long Saturated;
    public long TooLarge;
}

/// <summary>What the ingest counts: per site, plus what cannot be blamed on a site (unknown tokens).</summary>
public sealed class IngestCounters
{
    private readonly ConcurrentDictionary<string, SiteCounters> _sites = new(StringComparer.Ordinal);

    public long Unauthorized;

    public LatencyHistogram WriteLatency { get; } = new();

    public LatencyHistogram StoreLatency { get; } = new();

    public SiteCounters Site(string site) => _sites.GetOrAdd(site, static _ => new SiteCounters());

    public IEnumerable<KeyValuePair<string, SiteCounters>> Sites => _sites;
}
