using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Telemetry.EdgeAgent.Tests.Fixtures;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests;

/// <summary>The edge's own MQTT broker configured in edge.yaml, with a user whose hash `hash-password` printed; devices publish with mosquitto_pub.</summary>
public class MqttBrokerAgentTests
{
    [Fact]
    public async Task Run_EmbeddedBroker_UserPublishesValuesWrongPasswordRefused()
    {
        var (hashCode, hashOutput) = await RunAsync("bash", "-c", $"echo 'pr3ss-secret' | dotnet '{EdgeAgentProcess.AgentDll}' hash-password");
        Assert.True(hashCode == 0, hashOutput);
        var hash = hashOutput.Split('\n').Select(l => l.Trim()).Single(l => l.Contains("pbkdf2-sha256$", StringComparison.Ordinal));
        hash = hash[hash.IndexOf("pbkdf2-sha256$", StringComparison.Ordinal)..];
        Assert.DoesNotContain("pr3ss-secret", hashOutput, StringComparison.Ordinal);

        using var dir = new TempDirectory("edge-broker");
        var web = FreePort.Get();
        var mqtt = FreePort.Get();
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, $"""
            edge: {"{"} id: edge-broker, site: plant-broker, data_dir: {dir.Combine("data")} {"}"}
            web: {"{"} listen: 127.0.0.1:{web} {"}"}
            sources:
              - name: shopfloor
                type: mqtt-broker
                listen: 127.0.0.1:{mqtt}
                users:
                  - {"{"} name: press-07, password_hash: "{hash}" {"}"}
                rules:
                  - {"{"} topic: "plant/{"{"}machine{"}"}/{"{"}tag{"}"}", area: forming, line: line-2 {"}"}
            """);
        var process = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentProcess.AgentDll, "run", "--config", path]);
        await using (process)
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}/"), Timeout = TimeSpan.FromSeconds(5) };
            var published = false;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!published && DateTime.UtcNow < deadline)
            {
                Assert.False(process.HasExited, process.Output);
                var (code, _) = await RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", mqtt.ToString(CultureInfo.InvariantCulture),
                    "-i", "press-07-dev", "-u", "press-07", "-P", "pr3ss-secret", "-q", "1", "-t", "plant/press-07/ram_pressure", "-m", "187.5");
                published = code == 0;
                await Task.Delay(200);
            }

            Assert.True(published, process.Output);
            JsonElement? value = null;
            while (value is null && DateTime.UtcNow < deadline)
            {
                var machines = await http.GetFromJsonAsync<JsonElement>("api/machines");
                value = machines.GetProperty("machines").EnumerateArray()
                    .Where(m => m.GetProperty("machine").GetString() == "press-07")
                    .SelectMany(m => m.GetProperty("tags").EnumerateArray())
                    .Cast<JsonElement?>()
                    .FirstOrDefault(t => t!.Value.GetProperty("tag").GetString() == "ram_pressure");
                await Task.Delay(100);
            }

            Assert.Equal(187.5, value!.Value.GetProperty("value").GetDouble());

            var (wrong, wrongOutput) = await RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", mqtt.ToString(CultureInfo.InvariantCulture),
                "-i", "press-07-dev", "-u", "press-07", "-P", "guess", "-q", "1", "-t", "plant/press-07/ram_pressure", "-m", "1");
            Assert.True(wrong != 0, wrongOutput);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var process = PeerProcess.Start(program, program, args);
        await using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            await Task.Delay(100);
            return (process.ExitCode, process.Output);
        }
    }
}
