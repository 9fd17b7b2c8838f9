using System.Globalization;

namespace Telemetry.Testing.Peers;

/// <summary>
/// What the HTTP peers (<see cref="InfluxDbPeer"/>, <see cref="VictoriaMetricsPeer"/>) share: a real server process
/// with its own temp folder, listening on one loopback port, ready once a GET of its health path succeeds; stopped
/// with SIGTERM, killed and its folder deleted on dispose.
/// </summary>
public abstract class HttpPeer : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    protected HttpPeer(TempDirectory dir, PeerProcess process, int port)
    {
        _dir = dir;
        Process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public PeerProcess Process { get; }

    public Task StopAsync(CancellationToken cancellationToken = default) =>
        Process.StopAsync(TimeSpan.FromSeconds(10), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Polls GET <paramref name="healthPath"/> every 100 ms until it answers 2xx; fails with the process's output when
    /// it exits first or does not answer within <paramref name="timeout"/>.
    /// </summary>
    protected async Task WaitReadyAsync(string healthPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"{Process.Name} exited at start: {Process.Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(healthPath, UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{Process.Name} did not answer /{healthPath} within {timeout}: {Process.Output}");
    }
}
