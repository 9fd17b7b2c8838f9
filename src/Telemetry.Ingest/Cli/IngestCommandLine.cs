using System.Reflection;
using Microsoft.Extensions.Logging;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Diagnostics;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Sites;

namespace Telemetry.Ingest.Cli;

/// <summary>
/// <c>telemetry-ingest run --config FILE</c> (the service), <c>add-site NAME --config FILE</c> (a new token for a
/// site: the file gets its hash, the token is printed once), <c>check --config FILE</c>, <c>--version</c>.
/// </summary>
public static class IngestCommandLine
{
    public const string Usage = """
        telemetry-ingest: the Telemetry datacenter ingest service (InfluxDB-compatible write API).

          telemetry-ingest run --config FILE           serve (default command)
          telemetry-ingest check --config FILE         validate the configuration and ping the store
          telemetry-ingest add-site NAME --config FILE add a site (or one more token for it); prints the token once
          telemetry-ingest add-user NAME --site SITE --config FILE
                                                       a dashboard user of one site (--operator: every site); asks for
                                                       the password (one line on stdin when redirected), writes its hash
          telemetry-ingest --version

        """;

    public static string Version =>
        typeof(IngestCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? errors = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        errors ??= Console.Error;
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        var rest = command == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..];
        if (args is ["--version"] or ["version"])
        {
            await output.WriteLineAsync(Version).ConfigureAwait(false);
            return 0;
        }

        if (args is ["--help"] or ["-h"] or ["help"])
        {
            await output.WriteAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        try
        {
            return command switch
            {
                "run" => await ServeAsync(ConfigOf(rest), cancellationToken).ConfigureAwait(false),
                "check" => await CheckAsync(ConfigOf(rest), output, cancellationToken).ConfigureAwait(false),
                "add-site" when rest.Length > 0 && !rest[0].StartsWith('-') => AddSite(rest[0], ConfigOf(rest[1..]), output),
                "add-user" => AddUser(rest, output),
                _ => throw new UsageException($"unknown command '{string.Join(' ', args)}'."),
            };
        }
        catch (UsageException ex)
        {
            await errors.WriteLineAsync($"telemetry-ingest: {ex.Message}\n\n{Usage}").ConfigureAwait(false);
            return 2;
        }
        catch (IngestConfigException ex)
        {
            await errors.WriteLineAsync($"telemetry-ingest: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string ConfigOf(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--config" or "-c" && i + 1 < args.Length)
            {
                return args[i + 1];
            }
        }

        return Environment.GetEnvironmentVariable("TELEMETRY_INGEST_CONFIG") is { Length: > 0 } env
            ? env
            : throw new UsageException("--config FILE is needed (or TELEMETRY_INGEST_CONFIG).");
    }

    private static async Task<int> ServeAsync(string configFile, CancellationToken cancellationToken)
    {
        var options = IngestConfigLoader.LoadFile(configFile);
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
        var server = await IngestServer.StartAsync(options, new IngestServerSettings { Loggers = loggers }, cancellationToken).ConfigureAwait(false);
        await using var serverScope = server.ConfigureAwait(false);
        var addresses = string.Join(", ", server.Addresses);
        var store = server.Services.Store.Description;
        var logger = loggers.CreateLogger("Telemetry.Ingest");
        var version = Version;
        Log.Started(logger, version, addresses, store, options.Sites.Count);
        await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> CheckAsync(string configFile, TextWriter output, CancellationToken cancellationToken)
    {
        var options = IngestConfigLoader.LoadFile(configFile);
        await output.WriteLineAsync($"{configFile}: valid; {options.Sites.Count} site(s), store {options.Store.Kind}").ConfigureAwait(false);
        using var loggers = LoggerFactory.Create(_ => { });
        var services = IngestServices.Create(options, new IngestServerSettings(), loggers);
        await using var servicesScope = services.ConfigureAwait(false);
        var (reachable, error) = await services.Store.PingAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(reachable ? $"store {services.Store.Description}: reachable" : $"store {services.Store.Description}: NOT reachable: {error}").ConfigureAwait(false);
        return reachable ? 0 : 1;
    }

    private static int AddSite(string site, string configFile, TextWriter output)
    {
        if (!SiteOptions.IsValidName(site))
        {
            throw new UsageException($"'{site}' is not a valid site name; use letters, digits, '-', '_' or '.' (at most 64).");
        }

        var yaml = File.Exists(configFile) ? File.ReadAllText(configFile) : string.Empty;
        var token = SiteTokens.NewToken();
        string edited;
        try
        {
            edited = SiteFileEditor.AddToken(yaml, site, SiteTokens.Hash(token));
        }
        catch (Exception ex) when (ex is InvalidOperationException or YamlDotNet.Core.YamlException)
        {
            throw new IngestConfigException($"{configFile}: cannot add the site: {ex.Message}", ex);
        }

        // Never write a file the service would refuse.
        IngestConfigLoader.Load(edited, configFile);
        var temp = configFile + ".tmp";
        File.WriteAllText(temp, edited);
        File.Move(temp, configFile, overwrite: true);
        output.WriteLine($"site '{site}' has a new token (shown once; the file keeps only its SHA-256):");
        output.WriteLine(token);
        output.WriteLine($"On the edge: datacenter.token: {{ env: TELEMETRY_DATACENTER_TOKEN }} with that value. Restart or reload the ingest to use it.");
        return 0;
    }

    private static int AddUser(string[] args, TextWriter output)
    {
        try
        {
            return AddUserCommand.Run(args, Console.In, output, interactive: !Console.IsInputRedirected);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private sealed class UsageException(string message) : Exception(message);
}
