using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Sites;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EndToEnd.Tests;

/// <summary>`telemetry-edge check` (the real executable) against a real telemetry-ingest, running and then stopped.</summary>
public sealed class EdgeCheckTests
{
    [Fact]
    public async Task Check_IngestRunningThenStopped_OkThenUnreachableWithFixAndExitCode1()
    {
        var port = FreePort.Get();
        using var dir = new TempDirectory("e2e-check");
        var config = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
            edge: { id: edge-check, site: {{EndToEndRig.Site}}, data_dir: {{dir.Combine("data")}} }
            datacenter:
              kind: telemetry-ingest
              url: http://127.0.0.1:{{port}}/
              token: { env: TELEMETRY_TOKEN }
            sources:
              - name: sim
                type: simulator
                machines:
                  - { name: cnc-01, profile: cnc-mill }
            """));
        var ingest = await IngestServer.StartAsync(
            new IngestOptions
            {
                Listen = [new Uri($"http://127.0.0.1:{port}")],
                Sites = [new SiteOptions { Name = EndToEndRig.Site, TokenHashes = [SiteTokens.Hash(EndToEndRig.Token)] }],
                Store = new StoreOptions { Kind = StoreKind.Null },
            },
            new IngestServerSettings { Loggers = NullLoggerFactory.Instance });
        (int Code, string Output) running;
        try
        {
            running = await CheckAsync(config);
        }
        finally
        {
            await ingest.DisposeAsync();
        }

        var stopped = await CheckAsync(config);

        Assert.True(running.Code == 0, running.Output);
        Assert.Matches(@"datacenter\s+http://127\.0\.0\.1:\d+/ \(telemetry-ingest\)\s+ok", running.Output);
        Assert.Equal(1, stopped.Code);
        Assert.Matches(@"datacenter\s+http://127\.0\.0\.1:\d+/ \(telemetry-ingest\)\s+FAILED", stopped.Output);
        Assert.Contains($"connection refused by 127.0.0.1:{port}", stopped.Output, StringComparison.Ordinal);
        Assert.Contains($"Nothing listens on 127.0.0.1:{port}. Is the server running", stopped.Output, StringComparison.Ordinal);
        Assert.Contains("1 of 2 check(s) failed", stopped.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stopped.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> CheckAsync(string config)
    {
        var process = PeerProcess.Start("telemetry-edge", "dotnet", [EdgeAgentChild.AgentDll, "check", "--config", config],
            environment: new Dictionary<string, string> { ["TELEMETRY_TOKEN"] = EndToEndRig.Token });
        await using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            await Task.Delay(100); // let the output readers drain
            return (process.ExitCode, process.Output);
        }
    }
}
