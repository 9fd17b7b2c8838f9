using System.Reflection;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>Dispatches `telemetry-edge COMMAND [options]`.</summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int UsageError = 2;
    public const int Failed = 1;

    public static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? UsageError : Ok;
        }

        if (args[0] is "--version" or "version")
        {
            Console.WriteLine($"telemetry-edge {Version}");
            return Ok;
        }

        try
        {
            var options = CommandOptions.Parse(args.AsSpan(1));
            return args[0] switch
            {
                "demo" => await DemoCommand.RunAsync(options).ConfigureAwait(false),
                "init" => ConfigCommands.Init(options),
                "check" => ConfigCommands.Check(options),
                "run" => await ConfigCommands.RunAsync(options).ConfigureAwait(false),
                _ => Fail($"Unknown command '{args[0]}'.\n\n{Usage}"),
            };
        }
        catch (CommandLineException ex)
        {
            return Fail(ex.Message);
        }
        catch (Telemetry.Edge.Configuration.ConfigException ex)
        {
            return Fail(ex.Message);
        }
        catch (Telemetry.Storage.SpoolException ex)
        {
            Console.Error.WriteLine($"telemetry-edge: the spool cannot be used: {ex.Message}");
            return Failed;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"telemetry-edge: {message}");
        return UsageError;
    }

    public const string Usage = """
        telemetry-edge — the Telemetry edge agent

        Usage:
          telemetry-edge demo [--port 8080] [--host 127.0.0.1] [--speed 1]
              Runs a simulated plant (CNC mill, hydraulic press, curing oven) through the edge pipeline
              and serves the live page on http://127.0.0.1:8080. No configuration, no servers needed.
          telemetry-edge init [--config edge.yaml] [--force]
              Writes a commented example configuration.
          telemetry-edge check [--config /etc/telemetry-edge/edge.yaml]
              Validates the configuration; every error names the file, line and key.
          telemetry-edge run [--config /etc/telemetry-edge/edge.yaml]
              Runs the agent (what the service unit starts).
          telemetry-edge --version
          telemetry-edge --help
        """;
}
