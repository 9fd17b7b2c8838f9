using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Telemetry.Core;
using Telemetry.EdgeAgent.Tests.Fixtures;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Storage;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EdgeAgent.Tests.OpcUa;

/// <summary>
/// The real `telemetry-edge run` process reading the node-opcua PLC into its spool (no datacenter: the spool keeps
/// everything), killed -9 with its whole process tree, and started again on the same data folder within the PLC's
/// session timeout: the new process takes the old session's subscription over (TransferSubscriptions, Republish of
/// what the PLC still held) and the spool holds every counter step between the first and the last sample once.
/// </summary>
public sealed class AgentKillResumeTests
{
    [Fact]
    public async Task Run_AgentKilled9AndRestartedWithinSessionTimeout_ResumesAndEveryCounterStepInSpoolOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(85));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { Items = 5 }, cts.Token);
        using var dir = new TempDirectory("edge-kill-resume");
        var port = FreePort.Get();
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, $"""
            edge:
              id: edge-kill
              site: plant-kill
              data_dir: {dir.Combine("data")}
            web:
              listen: 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
            sources:
              - name: plc
                type: opcua
                endpoint: {plc.EndpointUrl}
                publishing_interval: 100ms
                session_timeout: 30s
                machine: plc-1
                nodes:
                  - {"{"} node: "nsu=urn:telemetry:plc;s=Counter", tag: counter, sampling_interval: 0ms, queue_size: 1000 {"}"}
                  - {"{"} browse: Objects/PLC/Load, machine: load {"}"}
            """, cts.Token);
        var sessionFile = dir.Combine("data", "opcua-sessions", "opcua-plc.session.json");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(10) };

        // 1. The first agent collects for a while, then dies without a word to the PLC (kill -9 of the whole tree).
        var first = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentProcess.AgentDll, "run", "--config", path]);
        await using (first)
        {
            await WaitForSamplesAsync(http, first, 30, cts.Token);
            Assert.True(File.Exists(sessionFile), $"no resume state in {sessionFile}: {first.Output}");
            await Task.Delay(TimeSpan.FromSeconds(2), cts.Token);
            first.Kill();
            await first.WaitForExitAsync(cts.Token);
        }

        Assert.True(File.Exists(sessionFile), "kill -9 left the resume state for the next process");
        await Task.Delay(TimeSpan.FromSeconds(3), cts.Token); // the PLC queues meanwhile (session timeout 30 s)

        // 2. The next agent on the same data folder takes the subscription over, collects, and stops cleanly.
        var second = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentProcess.AgentDll, "run", "--config", path]);
        await using (second)
        {
            await WaitForOutputAsync(second, "took over 1 of 1 subscription(s)", cts.Token);
            Assert.DoesNotContain("subscribing anew", second.Output, StringComparison.Ordinal);
            await WaitForSamplesAsync(http, second, 60, cts.Token);
            await second.StopAsync(TimeSpan.FromSeconds(20), cts.Token);
            Assert.Equal(0, second.ExitCode);
        }

        Assert.False(File.Exists(sessionFile), "a clean stop closed the session: nothing to take over");

        // 3. The spool, read back after both: every counter step once, no gap, no duplicate.
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("data", "spool")), cancellationToken: cts.Token);
        var values = ReadCounter(spool);
        Assert.True(values.Count > 60, $"only {values.Count} counter samples in the spool");
        var duplicates = values.Count - values.Distinct().Count();
        var sorted = values.Distinct().Order().ToList();
        var missing = new List<long>();
        for (var i = 1; i < sorted.Count; i++)
        {
            for (var v = sorted[i - 1] + 1; v < sorted[i] && missing.Count < 50; v++)
            {
                missing.Add(v);
            }
        }

        Assert.True(missing.Count == 0 && duplicates == 0,
            $"missing {string.Join(',', missing)}; {duplicates} duplicate(s); {sorted[0]}..{sorted[^1]}: {string.Join(',', values)}");
    }

    private static List<long> ReadCounter(Spool spool)
    {
        using var reader = spool.OpenReader();
        using var batch = new SampleBatch();
        var values = new List<long>();
        while (reader.TryRead(batch, out _))
        {
            foreach (var sample in batch.Samples)
            {
                if (sample.Path.Machine == "plc-1" && sample.Path.Tag == "counter")
                {
                    values.Add(sample.Value.AsInt64());
                }
            }

            batch.Clear();
        }

        return values;
    }

    /// <summary>Waits until the source has written at least <paramref name="count"/> samples in this process.</summary>
    private static async Task WaitForSamplesAsync(HttpClient http, PeerProcess process, long count, CancellationToken cancellationToken)
    {
        var last = string.Empty;
        while (true)
        {
            Assert.False(process.HasExited, $"telemetry-edge exited: {process.Output}");
            try
            {
                var edge = await http.GetFromJsonAsync<JsonElement>("api/edge", cancellationToken);
                last = edge.ToString();
                foreach (var s in edge.GetProperty("sources").EnumerateArray())
                {
                    if (s.GetProperty("name").GetString() == "plc" && s.GetProperty("samples").GetInt64() >= count)
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"not {count} samples in time; last /api/edge: {last}; output: {process.Output}");
            }

            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static async Task WaitForOutputAsync(PeerProcess process, string text, CancellationToken cancellationToken)
    {
        while (!process.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, $"telemetry-edge exited: {process.Output}");
            if (cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"'{text}' not logged in time: {process.Output}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }
}
