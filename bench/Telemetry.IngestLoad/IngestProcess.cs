using Telemetry.Ingest.Sites;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.IngestLoad;

/// <summary>telemetry-ingest as its own process (so its CPU and memory are its own), on a free loopback port.</summary>
public sealed class IngestProcess : IAsyncDisposable
{
    public const string Token = "load000000000000000000000000000000000000000000000000000000000000";

    private readonly PeerProcess _process;
    private readonly TempDirectory _dir;

    private IngestProcess(PeerProcess process, TempDirectory dir, int port)
    {
        _process = process;
        _dir = dir;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.ProcessId;

    /// <summary><paramref name="store"/> is the YAML of the store section, e.g. <c>{ kind: null }</c>.</summary>
    public static async Task<IngestProcess> StartAsync(string store)
    {
        var dir = new TempDirectory("ingest-load");
        var port = FreePort.Get();
        var config = dir.Combine("ingest.yaml");
        await File.WriteAllTextAsync(config, $"""
            listen: [http://127.0.0.1:{port}]
            store: {store}
            sites:
              - name: {LoadBodies.Site}
                tokens: [{SiteTokens.Hash(Token)}]
            """);
        var dll = Path.Combine(AppContext.BaseDirectory, "telemetry-ingest.dll");
        var process = PeerProcess.Start("telemetry-ingest", "dotnet", [dll, "run", "--config", config], dir.Path);
        var ingest = new IngestProcess(process, dir, port);
        using var http = new HttpClient { BaseAddress = ingest.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var ping = await http.GetAsync("ping");
                if (ping.IsSuccessStatusCode)
                {
                    return ingest;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"telemetry-ingest did not start: {process.Output}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Dispose();
    }
}
