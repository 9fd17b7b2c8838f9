using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Telemetry.Ingest.Sites;

namespace Telemetry.Ingest.Auth;

/// <summary>The outcome of a sign-in attempt.</summary>
public enum SignInStatus
{
    SignedIn,

    /// <summary>Unknown user or wrong password: the same answer for both.</summary>
    Refused,

    /// <summary>Too many failures for this user name from this client: wait <see cref="SignInResult.RetryAfter"/>.</summary>
    Throttled,
}

public sealed record SignInResult(SignInStatus Status, UserOptions? User = null, string? Cookie = null, DateTimeOffset Expires = default, TimeSpan RetryAfter = default);

/// <summary>
/// Dashboard sign-in: verifies a user's password against its PBKDF2 hash (at most two at a time, so guessing cannot
/// starve the write path of CPU), throttles failures per user name and client address, issues signed session cookies
/// and turns a request's cookie back into an <see cref="IngestCaller"/> limited to the user's site (an operator: every
/// site). Sessions are for reading; writes keep needing a site token.
/// </summary>
public sealed class SignInService : IDisposable
{
    public const string CookieName = "telemetry_session";

    /// <summary>A readable cookie next to the session saying only that one exists (for the page's script).</summary>
    public const string MarkerCookieName = "telemetry_signed_in";

    private readonly Dictionary<string, UserOptions> _users;
    private readonly SessionTokens _sessions;
    private readonly SignInThrottle _throttle;
    private readonly SemaphoreSlim _hashing = new(2, 2);
    private readonly PasswordHash _decoy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _revokedLock = new();
    private readonly Dictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);

    public SignInService(IReadOnlyList<UserOptions> users, IReadOnlyList<string> sites, SignInOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(options);
        _users = new Dictionary<string, UserOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in users)
        {
            _users[user.Name] = user;
        }

        Sites = sites;
        _time = time;
        _logger = logger;
        _sessions = new SessionTokens(SessionTokens.KeyFrom(options.SessionKey), options.SessionLifetime, time);
        _throttle = new SignInThrottle(options.MaxFailures, options.Lockout, time);
        // An unknown name costs as much as a known one: verify against a decoy with the users' iteration count.
        _decoy = PasswordHash.Create(Guid.NewGuid().ToString("N"), users.Count > 0 ? users[0].Password.Iterations : PasswordHash.MinIterations);
    }

    /// <summary>False when no user is configured: the dashboard then needs a token, as before.</summary>
    public bool Enabled => _users.Count > 0;

    /// <summary>Every configured site (an operator's site picker).</summary>
    public IReadOnlyList<string> Sites { get; }

    public async Task<SignInResult> SignInAsync(string userName, string password, string client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(client);
        if (_throttle.RetryAfter(userName, client) is { } wait)
        {
            SignInLog.Throttled(_logger, userName, client);
            return new SignInResult(SignInStatus.Throttled, RetryAfter: wait);
        }

        _users.TryGetValue(userName, out var user);
        bool valid;
        await _hashing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            valid = (user?.Password ?? _decoy).Verify(password) && user is not null;
        }
        finally
        {
            _hashing.Release();
        }

        if (!valid)
        {
            _throttle.Failed(userName, client);
            SignInLog.Refused(_logger, userName, client);
            return new SignInResult(SignInStatus.Refused);
        }

        _throttle.Succeeded(userName, client);
        var (cookie, expires) = _sessions.Issue(user!.Name, user.Password.Stamp());
        SignInLog.SignedIn(_logger, user.Name, client);
        return new SignInResult(SignInStatus.SignedIn, user, cookie, expires);
    }

    /// <summary>The signed-in user of the request's session cookie, or null (no cookie, expired, revoked, or the user
    /// or its password changed). A cookie sent from another origin (a cross-site WebSocket) is ignored.</summary>
    public UserOptions? UserOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!Enabled || !http.Request.Cookies.TryGetValue(CookieName, out var value) || !FromSameOrigin(http.Request))
        {
            return null;
        }

        if (!_sessions.TryRead(value, out var claims) || IsRevoked(claims.Id))
        {
            return null;
        }

        return _users.TryGetValue(claims.User, out var user) && user.Password.Stamp() == claims.Stamp ? user : null;
    }

    /// <summary>The caller for the read APIs, from the session cookie.</summary>
    public IngestCaller? Resolve(HttpContext http) =>
        UserOf(http) is { } user ? new IngestCaller("user:" + user.Name, user.Site) : null;

    /// <summary>Ends the request's session on this instance (other instances drop the cookie when the browser does).</summary>
    public void SignOut(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Request.Cookies.TryGetValue(CookieName, out var value) && _sessions.TryRead(value, out var claims))
        {
            var now = _time.GetUtcNow();
            lock (_revokedLock)
            {
                if (_revoked.Count >= 100_000)
                {
                    foreach (var (id, until) in _revoked.ToList())
                    {
                        if (until <= now)
                        {
                            _revoked.Remove(id);
                        }
                    }
                }

                _revoked[claims.Id] = claims.Expires;
            }

            SignInLog.SignedOut(_logger, claims.User);
        }
    }

    public void Dispose() => _hashing.Dispose();

    private bool IsRevoked(string id)
    {
        lock (_revokedLock)
        {
            return _revoked.ContainsKey(id);
        }
    }

    private static bool FromSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}
