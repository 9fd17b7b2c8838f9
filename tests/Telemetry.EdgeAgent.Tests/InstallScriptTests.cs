using System.Text.Json;
using Telemetry.EdgeAgent.Tests.Fixtures;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests;

/// <summary>
/// edge/install.sh with the real single-file build: lays out an install under a temporary root, writes a unit that
/// `systemd-analyze verify` accepts, the binary started exactly as the unit's ExecStart says collects and forwards
/// to a real InfluxDB, and uninstall removes the agent but keeps the data unless asked.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class InstallScriptTests(PublishedAgent agent) : IClassFixture<PublishedAgent>
{
    [Fact]
    public async Task Install_UnderRoot_UnitVerifiesServiceForwardsUninstallKeepsData()
    {
        await using var influx = await InfluxDbPeer.StartAsync();
        await influx.CreateDatabaseAsync("plant");
        using var dir = new TempDirectory("edge-install");
        var root = dir.Combine("root");
        var port = FreePort.Get();
        var prepared = dir.Combine("prepared.yaml");
        await File.WriteAllTextAsync(prepared, $"""
            edge:
              id: edge-installed
              site: plant-installed
              data_dir: /var/lib/telemetry-edge
            web:
              listen: 127.0.0.1:{port}
            datacenter:
              kind: influxdb1
              url: {influx.BaseAddress}
              database: plant
            sources:
              - name: sim
                type: simulator
                interval: 100ms
                machines:
                  - {"{"} name: press-01, profile: hydraulic-press {"}"}
            """);

        var (code, output) = await RunScriptAsync("--root", root, "--binary", agent.Binary, "--config", prepared);
        Assert.True(code == 0, output);
        var unit = Path.Combine(root, "etc/systemd/system/telemetry-edge.service");
        var exe = Path.Combine(root, "opt/telemetry-edge/telemetry-edge");
        var config = Path.Combine(root, "etc/telemetry-edge/edge.yaml");
        var data = Path.Combine(root, "var/lib/telemetry-edge");
        Assert.True(File.Exists(exe) && File.Exists(unit) && File.Exists(config) && Directory.Exists(data), output);
        Assert.Contains($"data_dir: {data}", await File.ReadAllTextAsync(config), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "etc/telemetry-edge/edge.env")));

        var (verifyCode, verifyOutput) = await RunAsync("systemd-analyze", "verify", unit);
        Assert.True(verifyCode == 0 && verifyOutput.Trim().Length == 0, $"systemd-analyze verify: {verifyOutput}");
        var unitText = await File.ReadAllTextAsync(unit);
        Assert.Contains("Restart=on-failure", unitText, StringComparison.Ordinal);
        Assert.Contains("ProtectSystem=strict", unitText, StringComparison.Ordinal);
        Assert.Contains($"ReadWritePaths={data}", unitText, StringComparison.Ordinal);
        Assert.Contains("ExecReload=/bin/kill -HUP $MAINPID", unitText, StringComparison.Ordinal);

        // Start the binary exactly as the unit's ExecStart says.
        var execStart = unitText.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Split(' ');
        Assert.Equal(exe, execStart[0]);
        var service = PeerProcess.Start("telemetry-edge-service", execStart[0], execStart[1..]);
        await using (service)
        {
            var stored = 0L;
            var deadline = DateTime.UtcNow.AddSeconds(40);
            while (stored < 20 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
                Assert.False(service.HasExited, service.Output);
                var json = await influx.QueryAsync("SELECT count(\"ram_pressure\") FROM machine WHERE site='plant-installed'", "plant");
                var result = JsonDocument.Parse(json).RootElement.GetProperty("results")[0];
                stored = result.TryGetProperty("series", out var s) ? s[0].GetProperty("values")[0][1].GetInt64() : 0;
            }

            Assert.True(stored >= 20, $"only {stored} samples reached InfluxDB: {service.Output}");
            await service.StopAsync(TimeSpan.FromSeconds(20));
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "spool"), "*", SearchOption.AllDirectories));

        // Installing again keeps the configuration the technician edited.
        await File.AppendAllTextAsync(config, "# edited by the technician\n");
        (code, output) = await RunScriptAsync("--root", root, "--binary", agent.Binary);
        Assert.True(code == 0, output);
        Assert.Contains("keeping the existing", output, StringComparison.Ordinal);
        Assert.EndsWith("# edited by the technician\n", await File.ReadAllTextAsync(config), StringComparison.Ordinal);

        (code, output) = await RunScriptAsync("--root", root, "--uninstall");
        Assert.True(code == 0, output);
        Assert.False(File.Exists(exe) || File.Exists(unit) || File.Exists(Path.Combine(root, "usr/local/bin/telemetry-edge")), output);
        Assert.True(File.Exists(config), "uninstall removed the configuration");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "spool"), "*", SearchOption.AllDirectories));

        (code, output) = await RunScriptAsync("--root", root, "--uninstall", "--purge");
        Assert.True(code == 0, output);
        Assert.False(Directory.Exists(data) || Directory.Exists(Path.Combine(root, "etc/telemetry-edge")), output);
    }

    [Theory]
    [InlineData("--frobnicate", "unknown option '--frobnicate'")]
    [InlineData("--purge", "--purge only goes with --uninstall")]
    [InlineData("--binary", "--binary needs a file")]
    public async Task Install_BadArguments_ClearError(string argument, string expected)
    {
        using var dir = new TempDirectory("edge-install-args");
        var (code, output) = await RunScriptAsync("--root", dir.Path, argument);
        Assert.Equal(1, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_BinaryThatDoesNotRun_Refused()
    {
        using var dir = new TempDirectory("edge-install-bad");
        var fake = dir.Combine("telemetry-edge");
        await File.WriteAllTextAsync(fake, "not a program");
        var (code, output) = await RunScriptAsync("--root", dir.Combine("root"), "--binary", fake);
        Assert.Equal(1, code);
        Assert.Contains("does not run on this machine", output, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output)> RunScriptAsync(params string[] args) => RunAsync("bash", [agent.InstallScript, .. args]);

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var process = PeerProcess.Start(Path.GetFileName(program), program, args);
        await using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            await Task.Delay(100);
            return (process.ExitCode, process.Output);
        }
    }
}
