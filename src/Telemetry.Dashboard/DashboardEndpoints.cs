using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Telemetry.Dashboard;

/// <summary>
/// Serves the dashboard's static assets, built into this assembly (nothing from a CDN: the page works on a
/// factory network with no internet). The hosts (edge agent, ingest) map it next to their live API.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly FrozenDictionary<string, Asset> Assets = LoadAssets();

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        endpoints.MapGet("/assets/{*file}", (HttpContext http, string file) => Serve(http, file));
        return endpoints;
    }

    /// <summary>One built-in asset as a result (a host maps its own pages with it, e.g. the ingest's /login); 404 when missing.</summary>
    public static IResult ServeAsset(HttpContext http, string file)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(file);
        return Serve(http, file);
    }

    private static IResult Serve(HttpContext http, string file)
    {
        if (!Assets.TryGetValue(file, out var asset))
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith("wwwroot/", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var file = name["wwwroot/".Length..];
            assets[file] = new Asset(memory.ToArray(), ContentTypeOf(file));
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Content, string ContentType);
}
