namespace Telemetry.Testing.Peers;

/// <summary>
/// A real InfluxDB 1.x (Debian `influxdb`) on free loopback ports with its data in a temp folder. Speaks
/// `POST /write?db=` and `/query` (InfluxQL); not `/api/v2`. See ../shared/PEERS.md.
/// </summary>
public sealed class InfluxDbPeer : HttpPeer
{
    private InfluxDbPeer(TempDirectory dir, PeerProcess process, int port)
        : base(dir, process, port)
    {
    }

    public static async Task<InfluxDbPeer> StartAsync(CancellationToken cancellationToken = default)
    {
        var dir = new TempDirectory("influxdb");
        var httpPort = FreePort.Get();
        var rpcPort = FreePort.Get();
        var config = dir.Combine("influxdb.conf");
        var data = dir.Path.Replace("\\", "/", StringComparison.Ordinal);
        await File.WriteAllTextAsync(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{rpcPort}"
            [meta]
              dir = "{data}/meta"
            [data]
              dir = "{data}/data"
              wal-dir = "{data}/wal"
              query-log-enabled = false
            [http]
              enabled = true
              bind-address = "127.0.0.1:{httpPort}"
              log-enabled = false
              max-body-size = 0
            [monitor]
              store-enabled = false
            """, cancellationToken);
        var process = PeerProcess.Start("influxd", "influxd", ["-config", config], dir.Path);
        var peer = new InfluxDbPeer(dir, process, httpPort);
        await peer.WaitReadyAsync("ping", TimeSpan.FromSeconds(30), cancellationToken);
        return peer;
    }

    /// <summary>Runs an InfluxQL statement (POST /query) and returns the JSON answer.</summary>
    public async Task<string> QueryAsync(string influxQl, string? database = null, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var form = new Dictionary<string, string> { ["q"] = influxQl, ["epoch"] = "ns" };
        if (database is not null)
        {
            form["db"] = database;
        }

        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(new Uri("query", UriKind.Relative), content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"InfluxDB query failed ({(int)response.StatusCode}): {body}");
        }

        return body;
    }

    public Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default) =>
        QueryAsync($"CREATE DATABASE \"{name}\"", null, cancellationToken);

    public Uri WriteUri(string database, string precision = "ns") =>
        new(BaseAddress, $"write?db={Uri.EscapeDataString(database)}&precision={precision}");
}
