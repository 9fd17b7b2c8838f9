using Telemetry.EdgeAgent.Tests.Fixtures;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests;

/// <summary>`telemetry-edge check` tries every source and the datacenter (a real InfluxDB) and explains failures.</summary>
public class CheckCommandTests
{
    [Fact]
    public async Task Check_AllReachable_PrintsTableAndSucceeds()
    {
        await using var influx = await InfluxDbPeer.StartAsync();
        await influx.CreateDatabaseAsync("plant");
        using var dir = new TempDirectory("edge-check-ok");
        var path = await WriteConfigAsync(dir, influx.BaseAddress, "plant");

        var (code, output) = await EdgeAgentProcess.RunToEndAsync("check", "--config", path);

        Assert.True(code == 0, output);
        Assert.Contains("CHECK", output, StringComparison.Ordinal);
        Assert.Matches(@"source sim \(simulator\)\s+1 simulated machine\(s\)\s+ok\s+-\s+\d+\s+0 ms\s+cnc-01/", output);
        Assert.Matches(@"datacenter\s+http://127\.0\.0\.1:\d+/ \(influxdb1\)\s+ok\s+http \(not encrypted\)\s+-\s+\d+ ms\s+InfluxDB 1\.", output);
        Assert.Contains("All checks passed.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_DatacenterStopped_NamesItAndHowToFix()
    {
        using var dir = new TempDirectory("edge-check-down");
        var port = FreePort.Get();
        var path = await WriteConfigAsync(dir, new Uri($"http://127.0.0.1:{port}/"), "plant");

        var (code, output) = await EdgeAgentProcess.RunToEndAsync("check", "--config", path);

        Assert.Equal(1, code);
        Assert.Matches(@"datacenter\s+http://\S+ \(influxdb1\)\s+FAILED", output);
        Assert.Contains($"problem: connection refused by 127.0.0.1:{port}", output, StringComparison.Ordinal);
        Assert.Contains($"fix:     Nothing listens on 127.0.0.1:{port}. Is the server running", output, StringComparison.Ordinal);
        Assert.Contains("1 of 2 check(s) failed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_DatabaseMissing_SaysCreateIt()
    {
        await using var influx = await InfluxDbPeer.StartAsync();
        using var dir = new TempDirectory("edge-check-nodb");
        var path = await WriteConfigAsync(dir, influx.BaseAddress, "nosuchdb");

        var (code, output) = await EdgeAgentProcess.RunToEndAsync("check", "--config", path);

        Assert.Equal(1, code);
        Assert.Contains("database not found", output, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE \"nosuchdb\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Offline_OnlyValidates()
    {
        using var dir = new TempDirectory("edge-check-offline");
        var path = await WriteConfigAsync(dir, new Uri($"http://127.0.0.1:{FreePort.Get()}/"), "plant");

        var (code, output) = await EdgeAgentProcess.RunToEndAsync("check", "--offline", "--config", path);

        Assert.True(code == 0, output);
        Assert.Contains("configuration OK", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CHECK", output, StringComparison.Ordinal);
    }

    private static async Task<string> WriteConfigAsync(TempDirectory dir, Uri datacenter, string database)
    {
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, $"""
            edge: {"{"} id: edge-check, site: plant-check, data_dir: {dir.Combine("data")} {"}"}
            datacenter:
              kind: influxdb1
              url: {datacenter}
              database: {database}
            sources:
              - name: sim
                type: simulator
                machines:
                  - {"{"} name: cnc-01, profile: cnc-mill {"}"}
            """);
        return path;
    }
}
