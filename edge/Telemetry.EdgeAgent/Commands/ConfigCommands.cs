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

    /// <summary>`telemetry-edge check --config PATH`: validates the configuration (and its sources' profiles).</summary>
    public static int Check(CommandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.GetString("config") ?? DefaultConfigPath;
        options.EnsureAllUsed("check");
        var config = EdgeConfigLoader.LoadFile(path);
        var sources = SourceFactory.Create(config);
        Console.WriteLine($"{path}: OK — edge {config.EdgeId} of site {config.Site}, {sources.Count} source(s), " +
            (config.Datacenter is { } dc ? $"datacenter {dc.Kind} at {dc.BaseUri}" : "no datacenter (buffering only)") + ".");
        foreach (var source in config.Sources)
        {
            Console.WriteLine($"  {source.Type,-10} {source.Name}");
        }

        return CommandLine.Ok;
    }

    /// <summary>`telemetry-edge run --config PATH`: the service.</summary>
    public static async Task<int> RunAsync(CommandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.GetString("config") ?? DefaultConfigPath;
        options.EnsureAllUsed("run");
        var config = EdgeConfigLoader.LoadFile(path);
        var sources = SourceFactory.Create(config);
        await using var runtime = await EdgeRuntime.StartAsync(config, sources);
        Console.WriteLine($"telemetry-edge {CommandLine.Version}: edge {config.EdgeId} (site {config.Site}) running; live page {runtime.Address}");
        await runtime.WaitForShutdownAsync();
        return CommandLine.Ok;
    }
}
