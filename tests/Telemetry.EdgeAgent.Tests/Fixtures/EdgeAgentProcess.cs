using System.Net.Http.Json;
using System.Text.Json;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests.Fixtures;

/// <summary>The real `telemetry-edge` executable (built next to these tests) started as a child process.</summary>
public sealed class EdgeAgentProcess : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private EdgeAgentProcess(PeerProcess process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string Output => _process.Output;

    public static string AgentDll => Path.Combine(AppContext.BaseDirectory, "telemetry-edge.dll");

    public static async Task<EdgeAgentProcess> StartDemoAsync(CancellationToken cancellationToken = default)
    {
        var port = FreePort.Get();
        var process = PeerProcess.Start("telemetry-edge", "dotnet", [AgentDll, "demo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var agent = new EdgeAgentProcess(process, port);
        await agent.WaitHealthyAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return agent;
    }

    /// <summary>Runs `telemetry-edge ARGS` to completion: exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string Output)> RunToEndAsync(params string[] args) =>
        RunToEndAsync(null, args);

    public static async Task<(int ExitCode, string Output)> RunToEndAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var process = PeerProcess.Start("telemetry-edge", "dotnet", [AgentDll, .. args], environment: environment);
        await using (process)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(cts.Token);
            await Task.Delay(100); // let the output readers drain
            return (process.ExitCode, process.Output);
        }
    }

    public async Task<JsonElement> GetMachinesAsync(CancellationToken cancellationToken = default) =>
        await Http.GetFromJsonAsync<JsonElement>("api/machines", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"telemetry-edge exited at start: {_process.Output}");
            }

            try
            {
                using var response = await Http.GetAsync("health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"telemetry-edge did not answer /health within {timeout}: {_process.Output}");
    }
}
