using Telemetry.Core;

namespace Telemetry.Ingest.Live;

/// <summary>
/// What one live subscriber wants: site, machine (the machine's name, not its key) and tag patterns. The endpoint
/// builds the site pattern from the caller: a site's user gets exactly its own site, an operator any pattern.
/// </summary>
public sealed record LiveFilter(GlobPattern Site, GlobPattern Machine, GlobPattern Tag)
{
    public static LiveFilter All { get; } = new(GlobPattern.All, GlobPattern.All, GlobPattern.All);

    /// <summary>True when every sample of a site this filter takes passes (no per-sample work).</summary>
    public bool TakesWholeBatches => Machine.MatchesAll && Tag.MatchesAll;

    public bool MatchesSite(string site) => Site.IsMatch(site);

    /// <summary>Machine and tag only: the site was checked once for the batch.</summary>
    public bool MatchesSample(in Sample sample) =>
        Machine.IsMatch(sample.Path.Machine) && Tag.IsMatch(sample.Path.Tag);
}
