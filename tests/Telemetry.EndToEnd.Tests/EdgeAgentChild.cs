using System.Globalization;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EndToEnd.Tests;

/// <summary>
/// The real `telemetry-edge` executable (built next to these tests from edge/Telemetry.EdgeAgent) as a child
/// process: `dotnet telemetry-edge.dll run --config FILE`. <see cref="Kill"/> is kill -9 of the process; a new one
/// started with the same config opens the same data folder (spool) again.
/// </summary>
public sealed class EdgeAgentChild : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private EdgeAgentChild(PeerProcess process) => _process = process;

    public static string AgentDll => Path.Combine(AppContext.BaseDirectory, "telemetry-edge.dll");

    public int ProcessId => _process.ProcessId;

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    /// <summary>Starts the agent and waits until <paramref name="readyPort"/> (one of its listeners) accepts connections.</summary>
    public static async Task<EdgeAgentChild> StartAsync(string configPath, int readyPort, IDictionary<string, string>? environment = null)
    {
        if (!File.Exists(AgentDll))
        {
            throw new FileNotFoundException($"{AgentDll} is missing: the end-to-end project builds edge/Telemetry.EdgeAgent next to itself.");
        }

        var process = PeerProcess.Start("telemetry-edge", "dotnet", [AgentDll, "run", "--config", configPath], environment: environment);
        var child = new EdgeAgentChild(process);
        try
        {
            await FreePort.WaitUntilListeningAsync(readyPort, TimeSpan.FromSeconds(60), () => process.Output);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    /// <summary>kill -9 (SIGKILL): no shutdown code runs, as in a crash or a power cut of the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    /// <summary>A config for one edge: its MQTT broker on <paramref name="mqttPort"/>, writing to telemetry-ingest at <paramref name="datacenter"/>.</summary>
    public static string BrokerConfig(string dataDir, int webPort, int mqttPort, Uri datacenter) => string.Create(CultureInfo.InvariantCulture, $$"""
        edge: { id: edge-kill9, site: {{EndToEndRig.Site}}, data_dir: {{dataDir}} }
        web: { listen: 127.0.0.1:{{webPort}} }
        log: { format: text, level: warning }
        datacenter:
          kind: telemetry-ingest
          url: {{datacenter}}
          token: { env: TELEMETRY_TOKEN }
        sources:
          - name: devices
            type: mqtt-broker
            listen: 127.0.0.1:{{mqttPort}}
            allow_anonymous: true
            rules:
              - { topic: "dev/{machine}/{tag}", format: json, area: kill, line: line-9, json: { value: v, timestamp: ts, timestamp_unit: ms } }
        """);
}
