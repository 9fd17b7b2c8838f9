using System.Globalization;
using Telemetry.Ingest.Sites;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Rig;

/// <summary>telemetry-ingest as its own process (its CPU and memory are its own) on a fixed free port; restartable.</summary>
public sealed class IngestProcess : IAsyncDisposable
{
    public const string Site = "plant-h";
    public const string Token = "harness0000000000000000000000000000000000000000000000000000000000";

    private readonly TempDirectory _dir = new("harness-ingest");
    private readonly string _config;
    private PeerProcess? _process;

    private IngestProcess(int port)
    {
        Port = port;
        _config = _dir.Combine("ingest.yaml");
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int? ProcessId => _process is { HasExited: false } p ? p.ProcessId : null;

    public string Output => _process?.Output ?? string.Empty;

    /// <param name="storeYaml">The store section, e.g. <c>{ kind: victoriametrics, url: 'http://127.0.0.1:1234/' }</c>.</param>
    public static async Task<IngestProcess> StartAsync(string storeYaml, CancellationToken cancellationToken)
    {
        var port = FreePort.Get();
        var ingest = new IngestProcess(port);
        await File.WriteAllTextAsync(ingest._config, $"""
            listen: [http://127.0.0.1:{port}]
            store: {storeYaml}
            sites:
              - name: {Site}
                tokens: [{SiteTokens.Hash(Token)}]
            """, cancellationToken);
        try
        {
            await ingest.LaunchAsync(cancellationToken);
        }
        catch
        {
            await ingest.DisposeAsync();
            throw;
        }

        return ingest;
    }

    /// <summary>The spool sequence ranges the ingest's loss ledger reports missing (`gaps` of `GET /api/edges`); empty when it does not answer.</summary>
    public async Task<IReadOnlyList<(long First, long Last)>> MissingRecordsAsync(CancellationToken cancellationToken)
    {
        var answer = await EdgesJsonAsync(cancellationToken);
        if (!answer.StartsWith("200 ", StringComparison.Ordinal))
        {
            return [];
        }

        using var doc = System.Text.Json.JsonDocument.Parse(answer.AsMemory(4));
        return [.. doc.RootElement.GetProperty("gaps").EnumerateArray().Select(g => (g.GetProperty("firstMissing").GetInt64(), g.GetProperty("lastMissing").GetInt64()))];
    }

    /// <summary>`GET /api/edges` (the ingest's loss accounting: spool ranges received per edge and their gaps), for diagnostics.</summary>
    public async Task<string> EdgesJsonAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/edges");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", Token);
            using var response = await http.SendAsync(request, cancellationToken);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"no answer: {ex.Message}";
        }
    }

    /// <summary>kill -9.</summary>
    public void Kill() => _process?.Kill();

    public async Task StartAgainAsync(CancellationToken cancellationToken)
    {
        await StopProcessAsync();
        await LaunchAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        _dir.Dispose();
    }

    private async Task StopProcessAsync()
    {
        if (_process is not null)
        {
            _process.Kill();
            await _process.DisposeAsync();
            _process = null;
        }
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        _process = PeerProcess.Start("telemetry-ingest", "dotnet", [RepositoryPaths.Beside("telemetry-ingest.dll"), "run", "--config", _config], _dir.Path);
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var ping = await http.GetAsync(new Uri("ping", UriKind.Relative), cancellationToken);
                if (ping.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"telemetry-ingest did not start: {_process.Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
