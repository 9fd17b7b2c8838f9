using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.Hosting;
using Telemetry.Simulator;
using Telemetry.Storage;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>
/// `telemetry-edge demo`: the simulated plant through the real edge pipeline (spool included, in a temporary
/// folder unless --data-dir is given), with the live page. No config file and no server to install. Simulator
/// controls (for demos and tests): POST /api/simulator/{machine}/fault|repair|pause|resume.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(CommandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var port = options.GetInt("port", 8080, 0, 65535);
        var hostText = options.GetString("host") ?? "127.0.0.1";
        var speed = options.GetDouble("speed", 1, 0.01, 1000);
        var dataDir = options.GetString("data-dir");
        options.EnsureAllUsed("demo");
        if (!IPAddress.TryParse(hostText, out var host))
        {
            throw new CommandLineException($"--host '{hostText}': expected an IP address such as 127.0.0.1 or 0.0.0.0.");
        }

        var temporary = dataDir is null;
        dataDir ??= Path.Combine(Path.GetTempPath(), $"telemetry-demo-{Environment.ProcessId}");
        var config = new EdgeConfig
        {
            EdgeId = "demo-edge",
            Site = DemoPlant.Site,
            DataDirectory = dataDir,
            WebListen = new IPEndPoint(host, port),
            Spool = new SpoolSettings(256L << 20, SpoolFullPolicy.DropOldest, 16L << 20),
            Sources = [],
        };
        var simulator = new PlantSimulator(DemoPlant.Options(speed: speed));
        try
        {
            EdgeRuntime runtime;
            try
            {
                runtime = await EdgeRuntime.StartAsync(config, [simulator], app => MapSimulatorControls(app, simulator));
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"telemetry-edge: cannot listen on {hostText}:{port} ({ex.Message}). Is another program using that port? Try --port 8081.");
                return CommandLine.Failed;
            }

            await using (runtime)
            {
                Console.WriteLine($"Telemetry demo plant running: {DemoPlant.Machines.Count} machines. Live page: {runtime.Address}");
                Console.WriteLine("Press Ctrl+C to stop.");
                await runtime.WaitForShutdownAsync();
            }
        }
        finally
        {
            if (temporary)
            {
                TryDelete(dataDir);
            }
        }

        return CommandLine.Ok;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void MapSimulatorControls(WebApplication app, PlantSimulator simulator)
    {
        app.MapPost("/api/simulator/{machine}/{action}", (string machine, string action) =>
        {
            var target = simulator.FindMachine(machine);
            if (target is null)
            {
                return Results.NotFound(new { error = $"No simulated machine '{machine}'." });
            }

            switch (action)
            {
                case "fault":
                    target.InjectFault();
                    break;
                case "repair":
                    target.Repair();
                    break;
                case "pause":
                    target.Paused = true;
                    break;
                case "resume":
                    target.Paused = false;
                    break;
                default:
                    return Results.BadRequest(new { error = $"Unknown action '{action}': fault, repair, pause or resume." });
            }

            return Results.NoContent();
        });
    }
}
