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
    public async Task Run_JsonLogFormat_OneJsonObjectPerLine()
    {
        using var dir = new TempDirectory("edge-json-log");
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, $"""
            edge: {"{"} id: edge-json, site: plant-json, data_dir: {dir.Combine("data")} {"}"}
            web: {"{"} listen: 127.0.0.1:{FreePort.Get()} {"}"}
            log: {"{"} format: json {"}"}
            sources: []
            """);
        var process = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentProcess.AgentDll, "run", "--config", path]);
        await using (process)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!process.Output.Contains("\"EventId\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            var line = process.Output.Split('\n').First(l => l.Contains("\"EventId\"", StringComparison.Ordinal));
            var entry = JsonDocument.Parse(line[line.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
            Assert.True(entry.TryGetProperty("LogLevel", out _), line);
            Assert.True(entry.TryGetProperty("Category", out _), line);
        }
    }

    [Fact]
    public async Task Status_AgentNotRunning_SaysSoAndHowToLook()
    {
        var (code, output) = await EdgeAgentProcess.RunToEndAsync("status", "--url", $"http://127.0.0.1:{FreePort.Get()}");
        Assert.Equal(3, code);
        Assert.Contains("telemetry-edge is not answering on", output, StringComparison.Ordinal);
        Assert.Contains("systemctl status telemetry-edge", output, StringComparison.Ordinal);
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

            // The watchdog and monitoring views of the same agent.
            var metrics = await http.GetStringAsync("metrics");
            Assert.Contains("# TYPE telemetry_edge_samples_written_total counter", metrics, StringComparison.Ordinal);
            Assert.Contains("telemetry_edge_datacenter_up 1", metrics, StringComparison.Ordinal);
            Assert.Matches(@"telemetry_edge_source_up\{source=""sim"",kind=""simulator""\} 1", metrics);
            Assert.Matches(@"telemetry_edge_info\{version=""[^""]+"",edge_id=""edge-run-test"",site=""plant-run""\} 1", metrics);
            Assert.Matches(@"process_resident_memory_bytes \d+", metrics);
            Assert.Contains("ok", await http.GetStringAsync("health"), StringComparison.Ordinal);

            var (statusCode, status) = await EdgeAgentProcess.RunToEndAsync("status", "--url", $"http://127.0.0.1:{port}", "--interval", "0.5");
            Assert.True(statusCode == 0, status);
            Assert.Contains("edge edge-run-test, site plant-run", status, StringComparison.Ordinal);
            Assert.Matches(@"datacenter\s+connected\s+http://127\.0\.0\.1:\d+/", status);
            Assert.Matches(@"sim\s+simulator\s+connected\s+\d+(\.\d)?\s+\d", status);
        }
    }
}
