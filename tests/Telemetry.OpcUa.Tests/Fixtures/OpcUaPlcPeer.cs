using System.Globalization;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.OpcUa.Tests.Fixtures;

/// <summary>Options of the simulated PLC (hardware/opcua-plc/server.js).</summary>
public sealed record OpcUaPlcOptions
{
    public int Items { get; init; }

    public int LoadMs { get; init; } = 100;

    public int CounterMs { get; init; } = 100;

    public bool ReversedNamespaces { get; init; }

    public bool SecureOnly { get; init; }

    public int MaxNodesPerRead { get; init; }

    public int MaxMonitoredItemsPerCall { get; init; }

    /// <summary>More server.js arguments (e.g. --security-policies, --security-modes, --certificate/--private-key).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}

/// <summary>
/// The node-opcua simulated PLC on a free loopback port: started with node, ready when it prints "READY", and
/// restartable on the same port and PKI folder (optionally with other options, e.g. another namespace order).
/// </summary>
public sealed class OpcUaPlcPeer : IAsyncDisposable
{
    private readonly TempDirectory _pki = new("opcua-plc");
    private PeerProcess? _process;

    private OpcUaPlcPeer(int port, OpcUaPlcOptions options)
    {
        Port = port;
        Options = options;
    }

    public int Port { get; }

    public OpcUaPlcOptions Options { get; private set; }

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public PeerProcess Process => _process ?? throw new InvalidOperationException("not started");

    public static string ServerDirectory
    {
        get
        {
            var root = typeof(OpcUaPlcPeer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
                .OfType<System.Reflection.AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value
                ?? throw new DirectoryNotFoundException("The test assembly does not name its repository root.");
            return Path.Combine(root, "hardware", "opcua-plc");
        }
    }

    public static async Task<OpcUaPlcPeer> StartAsync(OpcUaPlcOptions? options = null, CancellationToken cancellationToken = default)
    {
        var peer = new OpcUaPlcPeer(FreePort.Get(), options ?? new OpcUaPlcOptions());
        try
        {
            await peer.LaunchAsync(cancellationToken);
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }

        return peer;
    }

    /// <summary>kill -9 (a PLC power cut).</summary>
    public void Kill() => _process?.Kill();

    /// <summary>Kills and starts again on the same port (optionally with new options).</summary>
    public async Task RestartAsync(OpcUaPlcOptions? options = null, CancellationToken cancellationToken = default)
    {
        await StopProcessAsync();
        Options = options ?? Options;
        await LaunchAsync(cancellationToken);
    }

    /// <summary>Starts again after <see cref="Kill"/>.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default) => RestartAsync(null, cancellationToken);

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
        var dir = ServerDirectory;
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException($"node-opcua is not installed in {dir}: run `bash tests/peers/install.sh`.");
        }

        var args = new List<string>
        {
            "server.js", "--port", Port.ToString(CultureInfo.InvariantCulture), "--pki", _pki.Path,
            "--items", Options.Items.ToString(CultureInfo.InvariantCulture),
            "--load-ms", Options.LoadMs.ToString(CultureInfo.InvariantCulture),
            "--counter-ms", Options.CounterMs.ToString(CultureInfo.InvariantCulture),
        };
        if (Options.ReversedNamespaces)
        {
            args.AddRange(["--ns-order", "reversed"]);
        }

        if (Options.SecureOnly)
        {
            args.Add("--secure-only");
        }

        if (Options.MaxNodesPerRead > 0)
        {
            args.AddRange(["--max-nodes-per-read", Options.MaxNodesPerRead.ToString(CultureInfo.InvariantCulture)]);
        }

        if (Options.MaxMonitoredItemsPerCall > 0)
        {
            args.AddRange(["--max-monitored-items-per-call", Options.MaxMonitoredItemsPerCall.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(Options.ExtraArguments);
        _process = PeerProcess.Start("opcua-plc", "node", args, dir);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!_process.Output.Contains("READY ", StringComparison.Ordinal))
        {
            if (_process.HasExited || _process.Output.Contains("FAILED ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The simulated PLC did not start: {_process.Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The simulated PLC printed no READY line within 60 s: {_process.Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}

/// <summary>One PLC shared by the read-only integration tests of a class.</summary>
public sealed class OpcUaPlcFixture : IAsyncLifetime
{
    public OpcUaPlcPeer Plc { get; private set; } = null!;

    public async Task InitializeAsync() => Plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { Items = 100 });

    public async Task DisposeAsync() => await Plc.DisposeAsync();
}
