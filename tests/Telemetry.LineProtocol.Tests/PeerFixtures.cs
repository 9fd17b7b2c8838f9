using Telemetry.Testing.Peers;

namespace Telemetry.LineProtocol.Tests;

/// <summary>One real InfluxDB 1.x for the whole test class (started once, stopped at the end).</summary>
public sealed class InfluxDbFixture : IAsyncLifetime
{
    public InfluxDbPeer Peer { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Peer = await InfluxDbPeer.StartAsync(cts.Token);
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Peer is not null)
        {
            await Peer.DisposeAsync();
        }
    }
}

/// <summary>One real VictoriaMetrics for the whole test class.</summary>
public sealed class VictoriaMetricsFixture : IAsyncLifetime
{
    public VictoriaMetricsPeer Peer { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Peer = await VictoriaMetricsPeer.StartAsync(cts.Token);
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Peer is not null)
        {
            await Peer.DisposeAsync();
        }
    }
}
