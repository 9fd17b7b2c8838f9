using System.Text;
using Microsoft.AspNetCore.Http;

namespace Telemetry.Ingest.Sites;

/// <summary>
/// Finds who calls from the token the request carries, the ways Influx clients send one: <c>Authorization: Token
/// T</c> (InfluxDB 2) or <c>Bearer T</c>, HTTP Basic with the token as password (InfluxDB 1.x clients with u/p), the
/// <c>p</c> query parameter of <c>/write</c>, and <c>token</c> in the query for the browser's EventSource, which
/// cannot set headers. Site tokens name their site; operator tokens see every site.
/// </summary>
public sealed class CallerResolver(SiteTokens siteTokens, IReadOnlyDictionary<string, string>? operatorsByTokenHash = null)
{
    private readonly IReadOnlyDictionary<string, string> _operators = operatorsByTokenHash ?? new Dictionary<string, string>();

    /// <summary>The caller, or null when the request has no token or an unknown one.</summary>
    public IngestCaller? Resolve(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = TokenOf(request);
        if (token is null)
        {
            return null;
        }

        var site = siteTokens.FindSite(token);
        if (site is not null)
        {
            return new IngestCaller("site:" + site, site);
        }

        return _operators.Count > 0 && token.Length <= 512 && _operators.TryGetValue(SiteTokens.Hash(token), out var name)
            ? new IngestCaller(name, null)
            : null;
    }

    /// <summary>The token of the request, or null.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            var space = header.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                var scheme = header.AsSpan(0, space);
                var value = header[(space + 1)..].Trim();
                if (scheme.Equals("Token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
                {
                    return value.Length > 0 ? value : null;
                }

                if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
                {
                    return PasswordOfBasic(value);
                }
            }
        }

        var query = request.Query;
        var p = query["p"].ToString();
        if (p.Length > 0)
        {
            return p;
        }

        var t = query["token"].ToString();
        return t.Length > 0 ? t : null;
    }

    private static string? PasswordOfBasic(string base64)
    {
        Span<byte> bytes = stackalloc byte[512];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes[..written]);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && colon + 1 < text.Length ? text[(colon + 1)..] : null;
    }
}
