using System.Globalization;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Rig;

/// <summary>
/// The node-opcua simulated PLC (hardware/opcua-plc) with --clock-grid: item i holds tick = floor((now − 2026-01-01) /
/// loadMs), stamped with the tick's grid time, so every (item, tick) is a known sample and a restart continues the
/// sequence. Killed and started again on the same port and PKI folder.
/// </summary>
public sealed class PlcProcess : IAsyncDisposable
{
    public const string Namespace = "urn:telemetry:plc";
    public static readonly long GridBaseMs = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly TempDirectory _pki = new("harness-plc");
    private PeerProcess? _process;

    private PlcProcess(int items, int loadMs)
    {
        Items = items;
        LoadMs = loadMs;
        Port = FreePort.Get();
    }

    public int Items { get; }

    public int LoadMs { get; }

    public int Port { get; }

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public int? ProcessId => _process is { HasExited: false } p ? p.ProcessId : null;

    public static string NodeId(int item) => $"nsu={Namespace};s=Load.Item{item.ToString("D5", CultureInfo.InvariantCulture)}";

    /// <summary>The grid time (Unix ms) of a tick.</summary>
    public long TickTimeMs(long tick) => GridBaseMs + (tick * LoadMs);

    /// <summary>The last tick at or before a Unix ms time.</summary>
    public long TickAt(long unixMs) => (unixMs - GridBaseMs) / LoadMs;

    public static async Task<PlcProcess> StartAsync(int items, int loadMs, CancellationToken cancellationToken)
    {
        var plc = new PlcProcess(items, loadMs);
        try
        {
            await plc.LaunchAsync(cancellationToken);
        }
        catch
        {
            await plc.DisposeAsync();
            throw;
        }

        return plc;
    }

    /// <summary>kill -9 (a PLC power cut).</summary>
    public void Kill() => _process?.Kill();

    public async Task StartAgainAsync(CancellationToken cancellationToken)
    {
        await StopProcessAsync();
        await LaunchAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        _pki.Dispose();
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
        var dir = RepositoryPaths.OpcUaPlc;
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException($"node-opcua is not installed in {dir}: run `bash tests/peers/install.sh`.");
        }

        _process = PeerProcess.Start("opcua-plc", "node",
        [
            "server.js", "--port", Port.ToString(CultureInfo.InvariantCulture), "--pki", _pki.Path,
            "--items", Items.ToString(CultureInfo.InvariantCulture), "--load-ms", LoadMs.ToString(CultureInfo.InvariantCulture),
            "--counter-ms", "1000", "--clock-grid",
        ], dir);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180); // node-opcua starts in seconds on a quiet machine, minutes on a loaded one
        while (!_process.Output.Contains("READY ", StringComparison.Ordinal))
        {
            if (_process.HasExited || _process.Output.Contains("FAILED ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The simulated PLC did not start: {_process.Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The simulated PLC printed no READY line within 180 s: {_process.Output}");
            }

            await Task.Delay(100, cancellationToken);
        }

        await RaisePriorityAsync(_process.ProcessId, cancellationToken);
    }

    /// <summary>
    /// The simulated PLC stands for a machine with its own CPU: on the shared cores a starved node-opcua stopped
    /// answering Publish for 5-15 s (load 15-40), its 10 s item queues overflowed and the run counted the PLC's
    /// discards as our loss. So it runs at nice -10 (HARNESS_PLC_NICE=0 turns this off; needs root, else it stays at 0).
    /// </summary>
    private static async Task RaisePriorityAsync(int processId, CancellationToken cancellationToken)
    {
        var nice = Environment.GetEnvironmentVariable("HARNESS_PLC_NICE") is { Length: > 0 } text && int.TryParse(text, CultureInfo.InvariantCulture, out var n) ? n : -10;
        if (nice == 0)
        {
            return;
        }

        var start = new System.Diagnostics.ProcessStartInfo("renice") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-n", nice.ToString(CultureInfo.InvariantCulture), "-p", processId.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var renice = System.Diagnostics.Process.Start(start);
            if (renice is not null)
            {
                await renice.WaitForExitAsync(cancellationToken);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no renice on this machine: the PLC keeps the default priority
        }
    }
}
