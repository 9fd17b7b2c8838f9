using System.Security.Cryptography;
using System.Text;
using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Sites;

/// <summary>
/// Site tokens: a token is 32 random bytes as 64 hex digits, shown once; the configuration keeps only its
/// SHA-256 (hex). <see cref="FindSite"/> maps a presented token to the one site that owns it.
/// </summary>
public sealed class SiteTokens
{
    private readonly Dictionary<string, string> _siteByHash;

    public SiteTokens(IReadOnlyList<SiteOptions> sites)
    {
        ArgumentNullException.ThrowIfNull(sites);
        _siteByHash = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var site in sites)
        {
            foreach (var hash in site.TokenHashes)
            {
                var key = hash.ToLowerInvariant();
                if (_siteByHash.TryGetValue(key, out var owner) && owner != site.Name)
                {
                    throw new IngestConfigException($"sites: one token hash belongs to both '{owner}' and '{site.Name}'; a token belongs to one site.");
                }

                _siteByHash[key] = site.Name;
            }
        }
    }

    /// <summary>A new random token (64 hex digits).</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>SHA-256 of the token's UTF-8 bytes, lowercase hex.</summary>
    public static string Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>The site owning <paramref name="token"/>, or null when no site does.</summary>
    public string? FindSite(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 512)
        {
            return null;
        }

        return _siteByHash.TryGetValue(Hash(token), out var site) ? site : null;
    }
}
