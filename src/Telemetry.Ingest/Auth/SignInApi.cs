using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Telemetry.Dashboard;
using Telemetry.Ingest.Sites;

namespace Telemetry.Ingest.Auth;

/// <summary>
/// The dashboard's sign-in surface on the ingest:
/// <c>GET /login</c> (the page), <c>POST /api/session</c> with JSON <c>{"user","password"}</c> (200 and the session
/// cookie; 401 "wrong user name or password" for an unknown user and a wrong password alike; 429 with Retry-After when
/// throttled), <c>GET /api/session</c> (who is signed in; an operator also gets every site for its picker) and
/// <c>DELETE /api/session</c> (sign out). The cookie is HttpOnly, SameSite=Strict, Secure on HTTPS, and expires.
/// </summary>
public static class SignInApi
{
    private const int MaxBodyBytes = 4096;

    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder endpoints, SignInService signIn)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(signIn);
        endpoints.MapGet("/login", (HttpContext http) =>
        {
            if (signIn.UserOf(http) is not null)
            {
                return Results.Redirect("/");
            }

            http.Response.Headers.XFrameOptions = "DENY";
            http.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            return DashboardEndpoints.ServeAsset(http, "login.html");
        });
        endpoints.MapPost("/api/session", http => SignInAsync(http, signIn));
        endpoints.MapGet("/api/session", http => SessionAsync(http, signIn));
        endpoints.MapDelete("/api/session", http =>
        {
            signIn.SignOut(http);
            http.Response.Cookies.Delete(SignInService.CookieName, CookieOptions(http, expires: null));
            http.Response.Cookies.Delete(SignInService.MarkerCookieName, MarkerOptions(http, expires: null));
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        return endpoints;
    }

    /// <summary>
    /// Sends a browser that opens the dashboard (<c>GET /</c>) without a session or token to the sign-in page, when
    /// users are configured. Add before the endpoints.
    /// </summary>
    public static IApplicationBuilder UseSignInRedirect(this IApplicationBuilder app, SignInService signIn)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(signIn);
        return app.Use(async (http, next) =>
        {
            if (signIn.Enabled && http.Request.Path == "/" && HttpMethods.IsGet(http.Request.Method)
                && CallerResolver.TokenOf(http.Request) is null && signIn.UserOf(http) is null)
            {
                http.Response.Redirect("/login");
                return;
            }

            await next(http).ConfigureAwait(false);
        });
    }

    private static async Task SignInAsync(HttpContext http, SignInService signIn)
    {
        if (!signIn.Enabled)
        {
            await ErrorAsync(http, StatusCodes.Status404NotFound, "not found", "sign-in is not configured on this ingest: add users with telemetry-ingest add-user.").ConfigureAwait(false);
            return;
        }

        // JSON only: a cross-site form cannot send it without the browser asking this server first (CORS preflight).
        if (http.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(http, StatusCodes.Status415UnsupportedMediaType, "invalid", "send the sign-in as JSON: {\"user\": \"…\", \"password\": \"…\"}.").ConfigureAwait(false);
            return;
        }

        var (user, password, problem) = await ReadCredentialsAsync(http).ConfigureAwait(false);
        if (problem is not null)
        {
            await ErrorAsync(http, StatusCodes.Status400BadRequest, "invalid", problem).ConfigureAwait(false);
            return;
        }

        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var result = await signIn.SignInAsync(user!, password!, client, http.RequestAborted).ConfigureAwait(false);
        switch (result.Status)
        {
            case SignInStatus.Throttled:
                var seconds = Math.Max(1, (int)Math.Ceiling(result.RetryAfter.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ErrorAsync(http, StatusCodes.Status429TooManyRequests, "too many attempts",
                    $"Too many failed sign-ins for this user name. Try again in {Wait(seconds)}.").ConfigureAwait(false);
                return;
            case SignInStatus.Refused:
                await ErrorAsync(http, StatusCodes.Status401Unauthorized, "unauthorized", "Wrong user name or password.").ConfigureAwait(false);
                return;
        }

        http.Response.Cookies.Append(SignInService.CookieName, result.Cookie!, CookieOptions(http, result.Expires));
        http.Response.Cookies.Append(SignInService.MarkerCookieName, "1", MarkerOptions(http, result.Expires));
        await WriteSessionAsync(http, signIn, result.User!, result.Expires).ConfigureAwait(false);
    }

    private static async Task SessionAsync(HttpContext http, SignInService signIn)
    {
        if (!signIn.Enabled)
        {
            await ErrorAsync(http, StatusCodes.Status404NotFound, "not found", "sign-in is not configured on this ingest.").ConfigureAwait(false);
            return;
        }

        if (signIn.UserOf(http) is not { } user)
        {
            await ErrorAsync(http, StatusCodes.Status401Unauthorized, "unauthorized", "not signed in.").ConfigureAwait(false);
            return;
        }

        await WriteSessionAsync(http, signIn, user, expires: null).ConfigureAwait(false);
    }

    private static async Task WriteSessionAsync(HttpContext http, SignInService signIn, UserOptions user, DateTimeOffset? expires)
    {
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var json = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("user", user.Name);
            json.WriteString("role", user.IsOperator ? "operator" : "site");
            if (user.Site is { } site)
            {
                json.WriteString("site", site);
            }
            else
            {
                json.WriteNull("site");
            }

            if (expires is { } until)
            {
                json.WriteNumber("expires", until.ToUnixTimeMilliseconds());
            }

            json.WriteStartArray("sites");
            foreach (var s in user.IsOperator ? signIn.Sites : [user.Site!])
            {
                json.WriteStringValue(s);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<(string? User, string? Password, string? Problem)> ReadCredentialsAsync(HttpContext http)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return (null, null, $"the sign-in body is over {MaxBodyBytes} bytes.");
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await http.Request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        if (length > MaxBodyBytes)
        {
            return (null, null, $"the sign-in body is over {MaxBodyBytes} bytes.");
        }

        try
        {
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("user", out var user) || user.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("password", out var password) || password.ValueKind != JsonValueKind.String)
            {
                return (null, null, "expected {\"user\": \"…\", \"password\": \"…\"} (both strings).");
            }

            var name = user.GetString()!.Trim();
            return name.Length is 0 or > 64
                ? (null, null, "the user name is empty or longer than 64 characters.")
                : (name, password.GetString()!, null);
        }
        catch (JsonException ex)
        {
            return (null, null, $"the sign-in body is not JSON: {ex.Message}");
        }
    }

    private static CookieOptions CookieOptions(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    /// <summary>The page's script may read the marker (it says only "signed in here"): it asks /api/session only
    /// then, so the edge agent's page, which has no sign-in, never calls an API its host lacks.</summary>
    private static CookieOptions MarkerOptions(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = false,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    private static string Wait(int seconds) =>
        seconds < 120 ? $"{seconds} seconds" : $"{(seconds + 59) / 60} minutes";

    private static async Task ErrorAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
