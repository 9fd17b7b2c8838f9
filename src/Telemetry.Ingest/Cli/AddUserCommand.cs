using Telemetry.Ingest.Auth;
using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Cli;

/// <summary>
/// <c>telemetry-ingest add-user NAME (--site SITE | --operator) --config FILE [--iterations N]</c>: asks for the
/// password twice (without echo on a terminal; one line from standard input when it is redirected) and writes its
/// PBKDF2 hash into the file, keeping comments. Run again for an existing user to change the password.
/// </summary>
public static class AddUserCommand
{
    public const int MinPasswordLength = 8;

    public static int Run(string[] args, TextReader input, TextWriter output, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException("add-user needs the user name first: add-user NAME --site SITE --config FILE.");
        }

        var user = args[0];
        string? site = null;
        string? config = Environment.GetEnvironmentVariable("TELEMETRY_INGEST_CONFIG") is { Length: > 0 } env ? env : null;
        var isOperator = false;
        var iterations = PasswordHash.DefaultIterations;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--site" when i + 1 < args.Length: site = args[++i]; break;
                case "--operator": isOperator = true; break;
                case "--config" or "-c" when i + 1 < args.Length: config = args[++i]; break;
                case "--iterations" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n): iterations = n; i++; break;
                default: throw new ArgumentException($"add-user: unknown or incomplete option '{args[i]}'.");
            }
        }

        if (!UserOptions.IsValidName(user))
        {
            throw new ArgumentException($"'{user}' is not a valid user name; use letters, digits, '-', '_', '.' or '@' (at most 64).");
        }

        if (isOperator == (site is not null))
        {
            throw new ArgumentException("add-user needs exactly one of --site SITE (the site the user sees) or --operator (every site).");
        }

        if (config is null)
        {
            throw new ArgumentException("--config FILE is needed (or TELEMETRY_INGEST_CONFIG).");
        }

        if (iterations is < PasswordHash.MinIterations or > PasswordHash.MaxIterations)
        {
            throw new ArgumentException($"--iterations {iterations} is not between {PasswordHash.MinIterations} and {PasswordHash.MaxIterations}.");
        }

        var yaml = File.Exists(config) ? File.ReadAllText(config) : string.Empty;
        var password = ReadPassword(input, output, interactive, "Password: ");
        if (password.Length < MinPasswordLength || password.Length > PasswordHash.MaxPasswordLength)
        {
            throw new ArgumentException($"the password needs {MinPasswordLength} to {PasswordHash.MaxPasswordLength} characters.");
        }

        if (interactive && ReadPassword(input, output, interactive, "Again: ") != password)
        {
            throw new ArgumentException("the two passwords differ; nothing was changed.");
        }

        string edited;
        try
        {
            edited = UserFileEditor.SetUser(yaml, user, site, PasswordHash.Create(password, iterations).ToString());
        }
        catch (Exception ex) when (ex is InvalidOperationException or YamlDotNet.Core.YamlException)
        {
            throw new IngestConfigException($"{config}: cannot add the user: {ex.Message}", ex);
        }

        // Never write a file the service would refuse (e.g. a site that is not configured).
        IngestConfigLoader.Load(edited, config);
        var temp = config + ".tmp";
        File.WriteAllText(temp, edited);
        File.Move(temp, config, overwrite: true);
        output.WriteLine($"user '{user}' ({(site is null ? "operator: every site" : "site " + site)}) can sign in; {config} keeps only the password's PBKDF2 hash. Restart the ingest to use it.");
        return 0;
    }

    private static string ReadPassword(TextReader input, TextWriter output, bool interactive, string prompt)
    {
        if (!interactive)
        {
            return input.ReadLine() ?? string.Empty;
        }

        output.Write(prompt);
        var chars = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                output.WriteLine();
                return chars.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (chars.Length > 0)
                {
                    chars.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                chars.Append(key.KeyChar);
            }
        }
    }
}
