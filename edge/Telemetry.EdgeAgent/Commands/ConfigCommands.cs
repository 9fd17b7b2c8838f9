using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Telemetry.Edge.Checks;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.Hosting;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>`init`, `check` and `run`: the commands that work from edge.yaml.</summary>
public static class ConfigCommands
{
    public const string DefaultConfigPath = "/etc/telemetry-edge/edge.yaml";

    public static string ExampleConfig
    {
        get
        {
            using var stream = typeof(ConfigCommands).Assembly.GetManifestResourceStream("edge.example.yaml")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>`telemetry-edge init --config PATH [--force]`: writes the commented example.</summary>
    public static int Init(CommandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.GetString("config") ?? "edge.yaml";
        var force = options.GetString("force") == "true";
        options.EnsureAllUsed("init");
        if (File.Exists(path) && !force)
        {
            Console.Error.WriteLine($"telemetry-edge: {path} already exists; add --force to overwrite it.");
            return CommandLine.Failed;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(path, ExampleConfig);
        Console.WriteLine($"Wrote {path}. Edit it, then run: telemetry-edge check --config {path}");
        return CommandLine.Ok;
    }

    /// <summary>
    /// `telemetry-edge check --config PATH [--offline] [--timeout 5s]`: validates the configuration, then tries every
    /// source and the datacenter and prints a table with a fix-it line under each failure. Exit 1 when one fails.
    /// </summary>
    public static async Task<int> CheckAsync(CommandOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var path = options.GetString("config") ?? DefaultConfigPath;
        var offline = options.GetString("offline") == "true";
        var timeout = TimeSpan.FromSeconds(options.GetDouble("timeout", 5, 0.1, 120));
        options.EnsureAllUsed("check");
        var config = EdgeConfigLoader.LoadFile(path);
        var probes = new List<IConnectivityProbe>();
        foreach (var source in config.Sources)
        {
            probes.Add(SourceFactory.Probe(config, source, timeout));
        }

        if (config.Datacenter is { } datacenter)
        {
            probes.Add(new DatacenterProbe(datacenter, timeout));
        }

        output.WriteLine($"{path}: configuration OK — edge {config.EdgeId} of site {config.Site}, {config.Sources.Count} source(s), " +
            (config.Datacenter is { } dc ? $"datacenter {dc.BaseUri}" : "no datacenter (buffering only)") + ".");
        if (offline)
        {
            foreach (var source in config.Sources)
            {
                output.WriteLine($"  {source.Type,-10} {source.Name}");
            }

            return CommandLine.Ok;
        }

        output.WriteLine();
        var rows = await CheckTable.RunAsync(probes, cancellationToken);
        output.Write(CheckTable.Format(rows));
        var failed = rows.Count(r => !r.Result.Ok);
        output.WriteLine();
        output.WriteLine(failed == 0 ? "All checks passed." : $"{failed} of {rows.Count} check(s) failed; the agent would keep buffering what it can collect.");
        return failed == 0 ? CommandLine.Ok : CommandLine.Failed;
    }

    /// <summary>
    /// `telemetry-edge run --config PATH`: the service. SIGHUP (`systemctl reload`) or saving the file reloads the
    /// configuration; a broken one is refused and the running one stays.
    /// </summary>
    public static async Task<int> RunAsync(CommandOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.GetString("config") ?? DefaultConfigPath;
        var watch = options.GetString("no-watch") != "true";
        options.EnsureAllUsed("run");
        var config = EdgeConfigLoader.LoadFile(path);
        await using var runtime = await EdgeRuntime.StartAsync(config, SourceFactory.Build, cancellationToken);
        var logger = runtime.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Telemetry.Edge.Config");
        await using var watcher = new ConfigWatcher(path, runtime, SourceFactory.Build, logger, watch);
        Console.WriteLine($"telemetry-edge {CommandLine.Version}: edge {config.EdgeId} (site {config.Site}) running; live page {runtime.Address}");
        await runtime.WaitForShutdownAsync(cancellationToken);
        return CommandLine.Ok;
    }
}
