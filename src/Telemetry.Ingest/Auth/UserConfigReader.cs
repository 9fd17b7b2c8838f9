using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Auth;

/// <summary>
/// Reads <c>users:</c> and <c>signIn:</c> of the ingest's file:
/// <code>
/// users:                                   # telemetry-ingest add-user NAME --site SITE | --operator --config FILE
///   - name: anna
///     site: plant-a                        # or  role: operator  (every site)
///     passwordHash: pbkdf2-sha256$600000$…$…
/// signIn: { sessionLifetime: 12h, sessionKey: { env: TELEMETRY_SESSION_KEY }, maxFailures: 5, lockout: 15m }
/// </code>
/// A clear password is refused with file:line:column.
/// </summary>
internal static class UserConfigReader
{
    public static List<UserOptions> ReadUsers(YamlValue node)
    {
        var users = new List<UserOptions>();
        foreach (var item in node.Items())
        {
            var nameNode = item.Required("name", "the user name to sign in with");
            var name = nameNode.NonEmpty("a user name");
            if (!UserOptions.IsValidName(name))
            {
                throw nameNode.Error($"'{name}' is not a valid user name; use letters, digits, '-', '_', '.' or '@' (at most 64).");
            }

            var site = item.Optional("site")?.NonEmpty("a site name");
            var role = item.Optional("role") is { } roleNode ? roleNode.OneOf(new Dictionary<string, string> { ["operator"] = "operator", ["site"] = "site" }) : "site";
            if (role == "operator" && site is not null)
            {
                throw item.Error($"user '{name}': an operator sees every site; drop 'site' or 'role: operator'.");
            }

            if (role == "site" && site is null)
            {
                throw item.Error($"user '{name}' needs 'site: NAME' (the one site it sees) or 'role: operator' (every site).");
            }

            if (item.Optional("password") is { } clear)
            {
                throw clear.Error("a clear password does not belong in this file: set it with telemetry-ingest add-user, which writes passwordHash.");
            }

            var hashNode = item.Required("passwordHash", "the PBKDF2 hash written by telemetry-ingest add-user");
            if (!PasswordHash.TryParse(hashNode.String(), out var hash, out var problem))
            {
                throw hashNode.Error(problem);
            }

            item.RefuseUnknownKeys();
            users.Add(new UserOptions { Name = name, Site = site, Password = hash! });
        }

        return users;
    }

    public static SignInOptions ReadSignIn(YamlValue node)
    {
        var d = new SignInOptions();
        var options = new SignInOptions
        {
            SessionLifetime = node.Optional("sessionLifetime")?.Duration() ?? d.SessionLifetime,
            SessionKey = node.Optional("sessionKey")?.Secret(),
            MaxFailures = node.Optional("maxFailures")?.Int(1, 1000) ?? d.MaxFailures,
            Lockout = node.Optional("lockout")?.Duration() ?? d.Lockout,
        };
        node.RefuseUnknownKeys();
        try
        {
            options.Validate();
        }
        catch (IngestConfigException ex)
        {
            throw node.Error(ex.Message);
        }

        return options;
    }
}
