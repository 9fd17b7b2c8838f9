using System.Net.Http.Json;
using System.Text.Json;
using Telemetry.EdgeAgent.Tests.Fixtures;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests;

/// <summary>An edge.yaml MQTT source against a real Mosquitto: `run` collects what devices publish, `check` probes the broker.</summary>
public class MqttSourceAgentTests
{
    [Fact]
    public async Task Run_MqttSource_PublishedValuesReachTheLivePicture()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        using var dir = new TempDirectory("edge-mqtt-run");
        var port = FreePort.Get();
        var path = await WriteConfigAsync(dir, broker.Port, port);
        var process = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentProcess.AgentDll, "run", "--config", path]);
        await using (process)
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            JsonElement? tag = null;
            var deadline = DateTime.UtcNow.AddSeconds(40);
            for (var i = 0; tag is null && DateTime.UtcNow < deadline; i++)
            {
                Assert.False(process.HasExited, process.Output);
                await PublishAsync(broker.Port, "plant/line-2/press-07/oil_temperature", (41.5 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                await Task.Delay(300);
                try
                {
                    var machines = await http.GetFromJsonAsync<JsonElement>("api/machines");
                    tag = machines.GetProperty("machines").EnumerateArray()
                        .Where(m => m.GetProperty("machine").GetString() == "press-07")
                        .SelectMany(m => m.GetProperty("tags").EnumerateArray())
                        .Cast<JsonElement?>()
                        .FirstOrDefault(t => t!.Value.GetProperty("tag").GetString() == "oil_temperature");
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
            }

            Assert.True(tag is not null, process.Output);
            Assert.True(tag.Value.GetProperty("value").GetDouble() >= 41.5);
            var machine = (await http.GetFromJsonAsync<JsonElement>("api/machines")).GetProperty("machines").EnumerateArray()
                .Single(m => m.GetProperty("machine").GetString() == "press-07");
            Assert.Equal("press-shop", machine.GetProperty("area").GetString());
            Assert.Equal("line-2", machine.GetProperty("line").GetString());
            var edge = await http.GetFromJsonAsync<JsonElement>("api/edge");
            var source = edge.GetProperty("sources").EnumerateArray().Single();
            Assert.Equal(("sensors", "mqtt", "connected"), (source.GetProperty("name").GetString(), source.GetProperty("kind").GetString(), source.GetProperty("state").GetString()));
        }
    }

    [Fact]
    public async Task Check_BrokerUpThenStopped_TableThenFixHint()
    {
        using var dir = new TempDirectory("edge-mqtt-check");
        int brokerPort;
        string path;
        await using (var broker = await MosquittoPeer.StartAsync())
        {
            brokerPort = broker.Port;
            path = await WriteConfigAsync(dir, broker.Port, FreePort.Get());
            await PublishAsync(broker.Port, "plant/line-2/press-07/oil_temperature", "40.25", retain: true);
            await PublishAsync(broker.Port, "plant/line-2/press-07/ram_pressure", "180", retain: true);

            var (code, output) = await EdgeAgentProcess.RunToEndAsync("check", "--config", path);

            Assert.True(code == 0, output);
            Assert.Matches($@"source sensors \(mqtt\)\s+mqtt://127\.0\.0\.1:{brokerPort}\s+ok\s+none \(plain TCP\)\s+2\s+\d+ ms\s+press-07/oil_temperature=40\.25, press-07/ram_pressure=180", output);
        }

        var (stoppedCode, stopped) = await EdgeAgentProcess.RunToEndAsync("check", "--config", path, "--timeout", "3");

        Assert.Equal(1, stoppedCode);
        Assert.Matches($@"source sensors \(mqtt\)\s+mqtt://127\.0\.0\.1:{brokerPort}\s+FAILED", stopped);
        Assert.Contains($"fix:     Nothing listens on 127.0.0.1:{brokerPort}. Is the server running", stopped, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stopped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_BrokerUnreachable_DegradedNamingTheSource()
    {
        using var dir = new TempDirectory("edge-mqtt-health");
        var port = FreePort.Get();
        var path = await WriteConfigAsync(dir, FreePort.Get(), port);
        var process = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentProcess.AgentDll, "run", "--config", path]);
        await using (process)
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            JsonElement health = default;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                Assert.False(process.HasExited, process.Output);
                try
                {
                    using var response = await http.GetAsync("health");
                    Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                    health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                    if (health.GetProperty("status").GetString() == "degraded")
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(200);
            }

            Assert.Equal("degraded", health.GetProperty("status").GetString());
            Assert.StartsWith("source sensors: ", health.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        }
    }

    private static async Task<string> WriteConfigAsync(TempDirectory dir, int brokerPort, int webPort)
    {
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, $"""
            edge: {"{"} id: edge-mqtt, site: plant-mqtt, data_dir: {dir.Combine("data")} {"}"}
            web: {"{"} listen: 127.0.0.1:{webPort} {"}"}
            sources:
              - name: sensors
                type: mqtt
                broker: mqtt://127.0.0.1:{brokerPort}
                qos: 1
                rules:
                  - {"{"} topic: "plant/{"{"}line{"}"}/{"{"}machine{"}"}/{"{"}tag{"}"}", area: press-shop {"}"}
            """);
        return path;
    }

    private static async Task PublishAsync(int port, string topic, string payload, bool retain = false)
    {
        string[] args = ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", "1", "-t", topic, "-m", payload];
        var process = PeerProcess.Start("mosquitto_pub", "mosquitto_pub", retain ? [.. args, "-r"] : args);
        await using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, process.Output);
        }
    }
}
