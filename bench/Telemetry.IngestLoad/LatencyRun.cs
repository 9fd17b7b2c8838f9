using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.IngestLoad;

/// <summary>
/// Edge → live subscriber latency at a paced sample rate: every 10 ms the "edge" (a real spool on disk and the real
/// forwarder) takes in rate/100 samples whose source time is the moment it received them; telemetry-ingest (own
/// process, store VictoriaMetrics) fans them out; a server-sent-events subscriber measures arrival − source time
/// (the event carries milliseconds, so each figure is at most 1 ms pessimistic). Every 2 s a probe sample also
/// measures how long until VictoriaMetrics answers it to a query (no force-flush: what an analyst sees).
/// </summary>
public static class LatencyRun
{
    public static async Task RunAsync(int rate, TimeSpan duration)
    {
        await using var vm = await VictoriaMetricsPeer.StartAsync();
        await using var ingest = await IngestProcess.StartAsync($"{{ kind: victoriametrics, url: '{vm.BaseAddress}' }}");
        using var dir = new TempDirectory("latency-spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")));
        using var forwarder = new Forwarder(spool, new DatacenterOptions
        {
            Kind = DatacenterKind.TelemetryIngest,
            BaseUri = ingest.BaseAddress,
            EdgeId = "edge-latency",
            Token = IngestProcess.Token,
        }, NullLogger<Forwarder>.Instance);
        await forwarder.StartAsync(CancellationToken.None);

        using var http = new HttpClient { BaseAddress = ingest.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var latencies = new List<double>(rate * (int)duration.TotalSeconds + 1000);
        var measuring = false;
        long received = 0;
        var subscriber = Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/live");
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", IngestProcess.Token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            while (!stop.IsCancellationRequested)
            {
                var line = await reader.ReadLineAsync(stop.Token);
                if (line is null)
                {
                    break;
                }

                if (!line.StartsWith("data: [", StringComparison.Ordinal))
                {
                    continue;
                }

                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                using var doc = JsonDocument.Parse(line.AsMemory(6));
                foreach (var s in doc.RootElement.EnumerateArray())
                {
                    received++;
                    if (Volatile.Read(ref measuring))
                    {
                        latencies.Add(now - s.GetProperty("ts").GetInt64());
                    }
                }
            }
        });

        var perTick = Math.Max(1, rate / 100);
        var paths = Enumerable.Range(0, perTick).Select(i => new AssetPath("plant-load", "hall-1", "line-1", $"m{i / 100:D3}", $"tag_{i % 100:D3}")).ToArray();
        var probePath = new AssetPath("plant-load", "hall-1", "line-1", "probe", "probe");
        var queryable = new List<double>();
        using var batch = new SampleBatch(perTick + 1);
        long appended = 0;
        var warmup = TimeSpan.FromSeconds(5);
        var watch = Stopwatch.StartNew();
        var tick = 0L;
        var nextProbe = warmup;
        Task? probe = null;
        while (watch.Elapsed < warmup + duration)
        {
            var due = TimeSpan.FromMilliseconds(tick * 10);
            var wait = due - watch.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            if (!measuring && watch.Elapsed >= warmup)
            {
                Volatile.Write(ref measuring, true);
            }

            batch.Clear();
            var now = UnixTime.Now(TimeProvider.System);
            foreach (var path in paths)
            {
                batch.Add(new Sample(path, now, SampleValue.FromDouble(tick), Quality.Good, now));
            }

            if (watch.Elapsed >= nextProbe && probe is null or { IsCompleted: true })
            {
                batch.Add(new Sample(probePath, now, SampleValue.FromDouble(tick), Quality.Good, now));
                probe = MeasureQueryableAsync(vm, now, queryable);
                nextProbe += TimeSpan.FromSeconds(2);
            }

            await spool.WriteAsync(batch);
            appended += batch.Count;
            tick++;
        }

        await Task.Delay(2000);
        await stop.CancelAsync();
        try
        {
            await subscriber;
        }
        catch (OperationCanceledException)
        {
        }

        if (probe is not null)
        {
            await probe;
        }

        await forwarder.StopAsync(CancellationToken.None);
        latencies.Sort();
        queryable.Sort();
        double P(List<double> l, double q) => l.Count == 0 ? double.NaN : l[Math.Min(l.Count - 1, (int)(q * l.Count))];
        Console.WriteLine($"rate {rate:N0} samples/s for {duration.TotalSeconds:F0} s after {warmup.TotalSeconds:F0} s warm-up: appended {appended:N0}, received live {received:N0}, measured {latencies.Count:N0}");
        Console.WriteLine($"edge -> live subscriber ms: p50 {P(latencies, 0.5):F0}, p99 {P(latencies, 0.99):F0}, p99.9 {P(latencies, 0.999):F0}, max {(latencies.Count > 0 ? latencies[^1] : double.NaN):F0}");
        Console.WriteLine($"edge -> queryable in VictoriaMetrics ms ({queryable.Count} probes): p50 {P(queryable, 0.5):F0}, max {(queryable.Count > 0 ? queryable[^1] : double.NaN):F0}");
    }

    private static async Task MeasureQueryableAsync(VictoriaMetricsPeer vm, long sourceNs, List<double> results)
    {
        var ms = sourceNs / 1_000_000;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var export = await vm.ExportAsync("machine_probe");
            if (export.Contains(ms.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                lock (results)
                {
                    results.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ms);
                }

                return;
            }

            await Task.Delay(50);
        }
    }
}
