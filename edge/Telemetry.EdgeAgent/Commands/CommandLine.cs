namespace Telemetry.EdgeAgent.Commands;

/// <summary>Dispatches `telemetry-edge COMMAND [options]`.</summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int UsageError = 2;
    public const int Failed = 1;

    public static string Version => Telemetry.Edge.Hosting.EdgeVersion.Current;

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

        if (args[0] == "certs")
        {
            return CertsCommand.Run(args.AsSpan(1), Console.Out, Console.Error);
        }

        try
        {
            var options = CommandOptions.Parse(args[0] == "browse" ? BrowseCommand.Arguments(args) : args.AsSpan(1));
            return args[0] switch
            {
                "demo" => await DemoCommand.RunAsync(options).ConfigureAwait(false),
                "init" => ConfigCommands.Init(options),
                "check" => await ConfigCommands.CheckAsync(options, Console.Out, CancellationToken.None).ConfigureAwait(false),
                "hash-password" => HashPasswordCommand.Run(options, Console.In, Console.Out),
                "status" => await StatusCommand.RunAsync(options, Console.Out, CancellationToken.None).ConfigureAwait(false),
                "run" => await ConfigCommands.RunAsync(options).ConfigureAwait(false),
                "browse" => await BrowseCommand.RunAsync(options, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false),
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
          telemetry-edge check [--config /etc/telemetry-edge/edge.yaml] [--offline] [--timeout 5]
              Validates the configuration (every error names the file, line and key), then tries every
              source and the datacenter and prints a table with a fix-it hint per failure.
          telemetry-edge run [--config /etc/telemetry-edge/edge.yaml] [--no-watch]
              Runs the agent (what the service unit starts). SIGHUP or saving the file reloads the
              configuration; a broken one is refused and the running one stays.
          telemetry-edge status [--config /etc/telemetry-edge/edge.yaml | --url http://127.0.0.1:8080]
              Shows the running agent: sources and their rates, spool backlog, datacenter link.
          telemetry-edge browse opc.tcp://host:4840 [--depth 3] [--from Objects/…] [--user U --password-env VAR]
                                [--security sign|sign-and-encrypt [--policy Basic256Sha256] [--pki DIR | --config FILE]]
                                [--snippet Objects/Machines/Press1]
              Prints a PLC's address space (browse names, node ids with namespace URIs, data types, values),
              or with --snippet an edge.yaml source for every variable under that folder. --security uses the
              agent's certificate and trusted PLCs (the config's opcua.pki); an untrusted PLC is named with
              the `telemetry-edge certs trust` command.
          telemetry-edge certs list | trust <thumbprint-or-file> | reject <thumbprint> | show-own
                               [--config /etc/telemetry-edge/edge.yaml | --pki DIR]
              The OPC UA certificates (data_dir/pki): lists trusted and rejected servers, trusts or rejects
              one, or shows (creating it if needed) our own certificate for the PLC's trust list.
          telemetry-edge hash-password
              Reads a password (typed or piped) and prints the hash for an mqtt-broker user's password_hash.
          telemetry-edge --version
          telemetry-edge --help
        """;
}
