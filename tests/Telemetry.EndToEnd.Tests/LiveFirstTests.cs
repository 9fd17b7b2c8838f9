using System.Net.Http.Headers;
using System.Text.Json;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Ingest.Configuration;
using Xunit.Abstractions;

namespace Telemetry.EndToEnd.Tests;

/// <summary>
/// After a 10-minute outage of the edge's link, once the forwarder delivers again, fresh samples reach the
/// datacenter's live API within 1 s while the backlog drains behind them at its rate cap; at the end the store holds
/// everything exactly once.
/// </summary>
public sealed class LiveFirstTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TenMinuteOutage_LiveSamplesReachLiveApiWithin1sWhileBacklogDrains()
    {
        await using var rig = await EndToEndRig.StartAsync(StoreKind.VictoriaMetrics);
        await rig.Forwarder.StopAsync(CancellationToken.None);
        rig.Forwarder.Dispose();
        rig.EdgeLink.Cut();
        // Ten minutes of plant data buffered while the link is down (back-dated: the simulator's samples carry
        // receive times of 2026-09), then the forwarder runs into the outage: its reads are older than the live lag,
        // so fresh data gets a lane of its own at the spool's head.
        await rig.AppendTicksAsync(600);
        var backlog = rig.Spool.DurableNextSequence;
        rig.StartForwarder(new BacklogOptions { MaxSamplesPerSecond = 3000 });
        await Task.Delay(3000);

        using var http = new HttpClient { BaseAddress = rig.Ingest.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/live?machine=probe");
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", EndToEndRig.Token);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var events = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var arrivals = new Dictionary<double, long>();
        var reader = Task.Run(async () =>
        {
            while (await events.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("data: [", StringComparison.Ordinal))
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    foreach (var s in JsonDocument.Parse(line[6..]).RootElement.EnumerateArray())
                    {
                        lock (arrivals)
                        {
                            arrivals[s.GetProperty("v").GetDouble()] = now;
                        }
                    }
                }
            }
        });

        rig.EdgeLink.Restore();
        // The link is back: the forwarder finds out with its breaker's next probe (the break grows to the rig's
        // 2 s max probe interval while the link is down). Live latency counts from then on.
        var restored = DateTimeOffset.UtcNow;
        while (rig.Forwarder.Status.LastDelivery is not { } last || last < restored)
        {
            Assert.True(DateTimeOffset.UtcNow - restored < TimeSpan.FromSeconds(30), "the forwarder did not deliver within 30 s of the link coming back");
            await Task.Delay(20);
        }

        var recovery = rig.Forwarder.Status.LastDelivery!.Value - restored;
        output.WriteLine($"time to recover: the forwarder delivered again {recovery.TotalMilliseconds:F0} ms after the link came back");
        Assert.True(recovery < TimeSpan.FromSeconds(5), $"the forwarder took {recovery} to find the datacenter back (max probe interval 2 s)");

        var probe = new AssetPath(EndToEndRig.Site, "test", "live", "probe", "value");
        var sent = new Dictionary<double, long>();
        var drainingWhileProbed = 0;
        for (var i = 0; i < 30; i++)
        {
            sent[i] = await rig.AppendLiveAsync(probe, i) / 1_000_000;
            if (rig.Spool.AcknowledgedBelow < backlog)
            {
                drainingWhileProbed++;
            }

            await Task.Delay(100);
        }

        await rig.WaitDeliveredAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(500);
        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader);

        Assert.True(drainingWhileProbed >= 20, $"the backlog drained too fast to show live-first ({drainingWhileProbed} of 30 probes sent while it drained)");
        lock (arrivals)
        {
            Assert.Equal(30, arrivals.Count);
            var worst = sent.Max(kv => arrivals[kv.Key] - kv.Value);
            output.WriteLine($"recovered {recovery.TotalMilliseconds:F0} ms after the link came back; live latencies ms: {string.Join(", ", sent.Select(kv => arrivals[kv.Key] - kv.Value))}; {drainingWhileProbed}/30 probes sent while the backlog drained");
            Assert.True(worst <= 1000, $"a live sample took {worst} ms to reach the live API; all: {string.Join(", ", sent.Select(kv => arrivals[kv.Key] - kv.Value))}");
        }

        await rig.AssertStoreHoldsExactlyAppendedAsync();
    }
}
