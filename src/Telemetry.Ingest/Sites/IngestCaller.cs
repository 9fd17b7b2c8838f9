namespace Telemetry.Ingest.Sites;

/// <summary>
/// Who is calling the ingest service, once authenticated: an edge or Influx client with a site token, a
/// maintenance user of one site, or a datacenter operator (no site: sees every site).
/// </summary>
public sealed record IngestCaller(string Name, string? Site)
{
    /// <summary>A datacenter operator sees and may query every site.</summary>
    public bool IsOperator => Site is null;

    /// <summary>True when this caller may see data of <paramref name="site"/>.</summary>
    public bool MaySee(string site) => Site is null || string.Equals(Site, site, StringComparison.Ordinal);
}
