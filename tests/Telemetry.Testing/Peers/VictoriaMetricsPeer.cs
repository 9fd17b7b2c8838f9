namespace Telemetry.Testing.Peers;

/// <summary>
/// A real single-node VictoriaMetrics (Debian `victoria-metrics`) on a free loopback port with a temp data folder.
/// Lenient: answers 204 to bad line protocol; keeps milliseconds; field f of measurement m becomes metric m_f.
/// Read back with /api/v1/export after /internal/force_flush (poll: new series take up to ~1 s). See PEERS.md.
/// </summary>
public sealed class VictoriaMetricsPeer : HttpPeer
{
    private VictoriaMetricsPeer(TempDirectory dir, PeerProcess process, int port)
        : base(dir, process, port)
    {
    }

    public static async Task<VictoriaMetricsPeer> StartAsync(CancellationToken cancellationToken = default)
    {
        var dir = new TempDirectory("victoria");
        var port = FreePort.Get();
        var process = PeerProcess.Start("victoria-metrics", "victoria-metrics",
        [
            $"-httpListenAddr=127.0.0.1:{port}",
            $"-storageDataPath={dir.Combine("data")}",
            "-retentionPeriod=100y",
            "-search.latencyOffset=0s",
            "-loggerLevel=ERROR",
        ], dir.Path);
        var peer = new VictoriaMetricsPeer(dir, process, port);
        await peer.WaitReadyAsync("health", TimeSpan.FromSeconds(30), cancellationToken);
        return peer;
    }

    public async Task ForceFlushAsync(CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri("internal/force_flush", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>GET /api/v1/export?match[]=selector: one JSON line per series (values and ms timestamps).</summary>
    public async Task<string> ExportAsync(string selector, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var uri = new Uri($"api/v1/export?match[]={Uri.EscapeDataString(selector)}&start=0", UriKind.Relative);
        using var response = await http.GetAsync(uri, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"VictoriaMetrics export failed ({(int)response.StatusCode}): {body}");
        }

        return body;
    }
}
