using System.Text.RegularExpressions;
using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Auth;

/// <summary>
/// A person who signs in to the ingest's dashboard: a maintenance team member of one site, or a datacenter operator
/// (every site). The configuration keeps the password's PBKDF2 hash only (<see cref="PasswordHash"/>).
/// </summary>
public sealed partial record UserOptions
{
    public required string Name { get; init; }

    /// <summary>The site the user sees; null for an operator.</summary>
    public string? Site { get; init; }

    public required PasswordHash Password { get; init; }

    public bool IsOperator => Site is null;

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_.@-]{1,64}$")]
    private static partial Regex NamePattern();
}

/// <summary>Sessions and the sign-in throttle of the dashboard (<c>signIn:</c> in the file).</summary>
public sealed record SignInOptions
{
    /// <summary>How long a session lasts after signing in (absolute, not sliding).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>
    /// The key that signs session cookies, at least 32 bytes; give every instance behind a load balancer the same
    /// one. Null: a random key per process (a restart signs everybody out).
    /// </summary>
    public string? SessionKey { get; init; }

    /// <summary>Failed sign-ins per user name and client address before that pair must wait <see cref="Lockout"/>.</summary>
    public int MaxFailures { get; init; } = 5;

    public TimeSpan Lockout { get; init; } = TimeSpan.FromMinutes(15);

    public void Validate()
    {
        if (SessionLifetime < TimeSpan.FromMinutes(1) || SessionLifetime > TimeSpan.FromDays(31))
        {
            throw IngestOptions.Invalid("signIn.sessionLifetime", $"{SessionLifetime} is not between 1m and 31 days.");
        }

        if (SessionKey is not null && SessionKey.Length < 32)
        {
            throw IngestOptions.Invalid("signIn.sessionKey", "the key needs at least 32 characters (e.g. `openssl rand -hex 32`).");
        }

        if (MaxFailures is < 1 or > 1000)
        {
            throw IngestOptions.Invalid("signIn.maxFailures", $"{MaxFailures} is not between 1 and 1000.");
        }

        if (Lockout < TimeSpan.FromSeconds(1) || Lockout > TimeSpan.FromDays(1))
        {
            throw IngestOptions.Invalid("signIn.lockout", $"{Lockout} is not between 1s and 1 day.");
        }
    }

    /// <summary>Checks the users against each other and the configured sites.</summary>
    public static void ValidateUsers(IReadOnlyList<UserOptions> users, IReadOnlyList<SiteOptions> sites)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(sites);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < users.Count; i++)
        {
            var user = users[i];
            if (!UserOptions.IsValidName(user.Name))
            {
                throw IngestOptions.Invalid($"users[{i}].name", $"'{user.Name}' is not a valid user name; use letters, digits, '-', '_', '.' or '@' (at most 64).");
            }

            if (!names.Add(user.Name))
            {
                throw IngestOptions.Invalid($"users[{i}].name", $"user '{user.Name}' is configured twice (names are compared ignoring case).");
            }

            if (user.Site is { } site && !sites.Any(s => s.Name == site))
            {
                throw IngestOptions.Invalid($"users[{i}].site", $"site '{site}' is not configured under sites: (add it with telemetry-ingest add-site).");
            }
        }
    }
}
