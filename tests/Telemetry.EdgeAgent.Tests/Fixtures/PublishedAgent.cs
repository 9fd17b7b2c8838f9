using System.Reflection;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests.Fixtures;

/// <summary>The self-contained single-file linux-x64 build of telemetry-edge, published once for the install tests.</summary>
public sealed class PublishedAgent : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("edge-publish");

    public static string RepositoryRoot { get; } =
        typeof(PublishedAgent).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public string Binary => _dir.Combine("telemetry-edge");

    public string InstallScript => Path.Combine(RepositoryRoot, "edge", "install.sh");

    public async Task InitializeAsync()
    {
        var process = PeerProcess.Start("dotnet-publish", "dotnet",
        [
            "publish", Path.Combine(RepositoryRoot, "edge", "Telemetry.EdgeAgent"), "-c", "Release", "-r", "linux-x64",
            "--self-contained", "-p:PublishSingleFile=true", "-o", _dir.Path, "--nologo",
        ]);
        await using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0 || !File.Exists(Binary))
            {
                throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}): {process.Output}");
            }
        }
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
