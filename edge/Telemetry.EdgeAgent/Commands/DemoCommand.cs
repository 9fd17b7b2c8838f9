using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telemetry.Core;
using Telemetry.Dashboard;
using Telemetry.Edge.Api;
using Telemetry.Edge.Live;
using Telemetry.Edge.Pipeline;
using Telemetry.Simulator;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>
/// `telemetry-edge demo`: the simulated plant through the edge pipeline, with the live page. No config file and
/// no server to install. Simulator controls (for demos and tests): POST /api/simulator/{machine}/fault|repair|pause|resume.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(CommandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var port = options.GetInt("port", 8080, 0, 65535);
        var hostText = options.GetString("host") ?? "127.0.0.1";
        var speed = options.GetDouble("speed", 1, 0.01, 1000);
        options.EnsureAllUsed("demo");
        if (!IPAddress.TryParse(hostText, out var host))
        {
            throw new CommandLineException($"--host '{hostText}': expected an IP address such as 127.0.0.1 or 0.0.0.0.");
        }

        var simulator = new PlantSimulator(DemoPlant.Options(speed: speed));
        var pipeline = new EdgePipeline(durable: null, new LiveView(), new LiveFeed());
        ISampleSource[] sources = [simulator];

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(host, port));
        builder.Services.AddSingleton<IHostedService>(sp =>
            new SourceRunner(sources, pipeline, sp.GetRequiredService<ILogger<SourceRunner>>()));

        await using var app = builder.Build();
        app.MapDashboard();
        app.MapEdgeApi(new EdgeApiContext(pipeline, sources, TimeProvider.System));
        MapSimulatorControls(app, simulator);

        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"telemetry-edge: cannot listen on {hostText}:{port} ({ex.Message}). Is another program using that port? Try --port 8081.");
            return CommandLine.Failed;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Console.WriteLine($"Telemetry demo plant running: {DemoPlant.Machines.Count} machines. Live page: {address}/");
        Console.WriteLine("Press Ctrl+C to stop.");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return CommandLine.Ok;
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
