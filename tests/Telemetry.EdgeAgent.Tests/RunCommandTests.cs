using System.Globalization;
using System.Text.Json;
using Telemetry.EdgeAgent.Tests.Fixtures;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests;

/// <summary>`init`, `check` and `run` of the real executable, with a real InfluxDB as the datacenter.</summary>
public class RunCommandTests
{
    [Fact]
    public async Task InitThenCheck_ExampleConfig_Valid()
    {
        using var dir = new TempDirectory("edge-init");
        var path = dir.Combine("edge.yaml");
        var (code, output) = await EdgeAgentProcess.RunToEndAsync("init", "--config", path);
        Assert.Equal(0, code);
        Assert.True(File.Exists(path));

        var (again, refused) = await EdgeAgentProcess.RunToEndAsync("init", "--config", path);
        Assert.Equal(1, again);
        Assert.Contains("--force", refused, StringComparison.Ordinal);

        var (checkCode, checkOutput) = await EdgeAgentProcess.RunToEndAsync(
            new Dictionary<string, string> { ["TELEMETRY_TOKEN"] = "t0ken" }, "check", "--offline", "--config", path);
        Assert.True(checkCode == 0, checkOutput);
        Assert.Contains("OK", checkOutput, StringComparison.Ordinal);
        Assert.Contains("plant-simulator", checkOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_UnknownProfile_NamesFileLineKeyAndChoices()
    {
        using var dir = new TempDirectory("edge-check");
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, """
            edge: { id: e1, site: s1, data_dir: /tmp/e1 }
            sources:
              - name: sim
                type: simulator
                machines:
                  - { name: lathe-1, profile: lathe }
            """);
        var (code, output) = await EdgeAgentProcess.RunToEndAsync("check", "--config", path);
        Assert.Equal(2, code);
        Assert.Contains($"{path}:6:", output, StringComparison.Ordinal);
        Assert.Contains("sources[0].machines[0].profile: 'lathe' is not a machine profile; expected one of: cnc-mill, curing-oven, hydraulic-press", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SimulatorToInfluxDb_SamplesStoredAndStatusShown()
    {
        await using var influx = await InfluxDbPeer.StartAsync();
        await influx.CreateDatabaseAsync("plant");
        using var dir = new TempDirectory("edge-run");
        var port = FreePort.Get();
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, $"""
            edge:
              id: edge-run-test
              site: plant-run
              data_dir: {dir.Combine("data")}
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
                  - {"{"} name: cnc-01, profile: cnc-mill, area: machining, line: line-1 {"}"}
            """);
        var process = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentProcess.AgentDll, "run", "--config", path]);
        await using (process)
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var stored = 0L;
            var deadline = DateTime.UtcNow.AddSeconds(40);
            while (stored < 20 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
                Assert.False(process.HasExited, process.Output);
                var json = await influx.QueryAsync("SELECT count(\"spindle_speed\") FROM machine WHERE site='plant-run' AND machine='cnc-01'", "plant");
                var series = JsonDocument.Parse(json).RootElement.GetProperty("results")[0];
                stored = series.TryGetProperty("series", out var s) ? s[0].GetProperty("values")[0][1].GetInt64() : 0;
            }

            Assert.True(stored >= 20, $"only {stored} samples reached InfluxDB: {process.Output}");
            var edge = JsonDocument.Parse(await http.GetStringAsync("api/edge")).RootElement;
            Assert.Equal("edge-run-test", edge.GetProperty("edgeId").GetString());
            Assert.Equal("connected", edge.GetProperty("datacenter").GetProperty("state").GetString());
            Assert.True(edge.GetProperty("datacenter").GetProperty("deliveredSamples").GetInt64() > 0);
        }
    }
}
