using System.Globalization;
using System.Text.Json;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Rig;

/// <summary>What `GET /api/edge` says (the figures the harness follows).</summary>
public sealed record EdgeStatus(long SamplesWritten, long BacklogSamples, long SamplesDropped, long DeliveredSamples, string DatacenterState, bool SourcesConnected)
{
    /// <summary>The spool's recent drop-oldest deletions (`spool.recentDrops`).</summary>
    public IReadOnlyList<SpoolDrop> Drops { get; init; } = [];
}

/// <summary>One segment the edge's spool dropped: its sequences, what of it was undelivered, and its source-time span (Unix ms).</summary>
public sealed record SpoolDrop(long FirstSequence, long LastSequence, long DroppedRecords, long Samples, long FirstSourceMs, long LastSourceMs);

/// <summary>
/// telemetry-edge as its own process on a fixed web port and data folder, so kill -9 and a restart find the same
/// spool. The datacenter token comes in an environment variable, as in production.
/// </summary>
public sealed class EdgeProcess : IAsyncDisposable
{
    public const string TokenVariable = "HARNESS_INGEST_TOKEN";

    private readonly TempDirectory _dir = new("harness-edge");
    private readonly HttpClient _http;
    private PeerProcess? _process;

    private EdgeProcess()
    {
        WebPort = FreePort.Get();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(5) };
    }

    public int WebPort { get; }

    public string DataDirectory => _dir.Combine("data");

    public string ConfigPath => _dir.Combine("edge.yaml");

    public int? ProcessId => _process is { HasExited: false } p ? p.ProcessId : null;

    public string Output => _process?.Output ?? string.Empty;

    /// <param name="writeConfig">Writes edge.yaml from the web port and the data folder.</param>
    public static async Task<EdgeProcess> StartAsync(Func<int, string, string> writeConfig, CancellationToken cancellationToken)
    {
        var edge = new EdgeProcess();
        try
        {
            await File.WriteAllTextAsync(edge.ConfigPath, writeConfig(edge.WebPort, edge.DataDirectory), cancellationToken);
            await edge.LaunchAsync(cancellationToken);
        }
        catch
        {
            await edge.DisposeAsync();
            throw;
        }

        return edge;
    }

    /// <summary>kill -9 (a crash or power cut of the factory PC).</summary>
    public void Kill() => _process?.Kill();

    public async Task StartAgainAsync(CancellationToken cancellationToken)
    {
        await StopProcessAsync();
        await LaunchAsync(cancellationToken);
    }

    /// <summary>The agent's status, or null while it does not answer.</summary>
    public async Task<EdgeStatus?> StatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri("api/edge", UriKind.Relative), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = doc.RootElement;
            var spool = root.GetProperty("spool");
            var dc = root.GetProperty("datacenter");
            var connected = true;
            foreach (var source in root.GetProperty("sources").EnumerateArray())
            {
                connected &= source.GetProperty("state").GetString() == "connected";
            }

            return new EdgeStatus(
                root.GetProperty("samplesWritten").GetInt64(),
                spool.GetProperty("backlogSamples").GetInt64(),
                spool.GetProperty("samplesDropped").GetInt64(),
                dc.TryGetProperty("deliveredSamples", out var d) ? d.GetInt64() : 0,
                dc.GetProperty("state").GetString() ?? "?",
                connected)
            {
                Drops = spool.TryGetProperty("recentDrops", out var drops) ? [.. drops.EnumerateArray().Where(d => d.TryGetProperty("firstSourceTime", out _)).Select(ReadDrop)] : [],
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static SpoolDrop ReadDrop(JsonElement d) => new(
        d.GetProperty("firstSequence").GetInt64(),
        d.GetProperty("lastSequence").GetInt64(),
        d.GetProperty("droppedRecords").GetInt64(),
        d.GetProperty("samples").GetInt64(),
        d.GetProperty("firstSourceTime").GetDateTimeOffset().ToUnixTimeMilliseconds(),
        d.GetProperty("lastSourceTime").GetDateTimeOffset().ToUnixTimeMilliseconds());

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        _http.Dispose();
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
        _process = PeerProcess.Start("telemetry-edge", "dotnet", [RepositoryPaths.Beside("telemetry-edge.dll"), "run", "--config", ConfigPath], _dir.Path,
            new Dictionary<string, string> { [TokenVariable] = IngestProcess.Token });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await StatusAsync(cancellationToken) is null)
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"telemetry-edge did not start: {_process.Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
