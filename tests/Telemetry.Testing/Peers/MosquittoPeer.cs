using System.Globalization;
using System.Text;

namespace Telemetry.Testing.Peers;

/// <summary>
/// A real Mosquitto 2 (Debian `mosquitto`) on a free loopback port. Unlimited queued messages by default (the
/// default of 1000 silently drops QoS 1 for a slow subscriber: see PEERS.md). Extra config lines (TLS, auth,
/// persistence) can be added; the same port and folder survive <see cref="RestartAsync"/>.
/// </summary>
public sealed class MosquittoPeer : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly string _config;
    private PeerProcess _process;

    private MosquittoPeer(TempDirectory dir, string config, PeerProcess process, int port)
    {
        _dir = dir;
        _config = config;
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Host => "127.0.0.1";

    public string DataDirectory => _dir.Path;

    public PeerProcess Process => _process;

    /// <param name="extraConfig">More mosquitto.conf lines, e.g. "persistence true" or TLS listener options.</param>
    /// <param name="listenerOptions">Lines that belong to the default listener (after `listener PORT 127.0.0.1`).</param>
    public static async Task<MosquittoPeer> StartAsync(string? extraConfig = null, bool persistence = false, CancellationToken cancellationToken = default)
    {
        var dir = new TempDirectory("mosquitto");
        var port = FreePort.Get();
        var config = dir.Combine("mosquitto.conf");
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"listener {port} 127.0.0.1");
        text.AppendLine("max_queued_messages 0");
        text.AppendLine("max_inflight_messages 0");
        text.AppendLine(CultureInfo.InvariantCulture, $"persistence {(persistence ? "true" : "false")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"persistence_location {dir.Path}/");
        text.AppendLine("autosave_interval 1");
        text.AppendLine("log_dest stderr");
        text.AppendLine("log_type error");
        text.AppendLine("log_type warning");
        if (Environment.UserName == "root")
        {
            text.AppendLine("user root");
        }

        if (extraConfig is null || !extraConfig.Contains("allow_anonymous", StringComparison.Ordinal))
        {
            text.AppendLine("allow_anonymous true");
        }

        if (extraConfig is not null)
        {
            text.AppendLine(extraConfig);
        }

        await File.WriteAllTextAsync(config, text.ToString(), cancellationToken);
        var process = PeerProcess.Start("mosquitto", "mosquitto", ["-c", config], dir.Path);
        var peer = new MosquittoPeer(dir, config, process, port);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(15), () => process.Output, cancellationToken);
        return peer;
    }

    /// <summary>kill -9 (with persistence on, what the broker saved at its last autosave survives).</summary>
    public void Kill() => _process.Kill();

    /// <summary>
    /// SIGTERM, as `systemctl stop mosquitto` does: with persistence on, the broker writes its sessions and queued
    /// messages before it exits.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        _process.StopAsync(TimeSpan.FromSeconds(30), cancellationToken);

    /// <summary>Starts the broker again on the same port and folder (kills it first if it still runs).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        _process.Kill();
        await _process.WaitForExitAsync(cancellationToken);
        await _process.DisposeAsync();
        _process = PeerProcess.Start("mosquitto", "mosquitto", ["-c", _config], _dir.Path);
        await FreePort.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(15), () => _process.Output, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Dispose();
    }
}
