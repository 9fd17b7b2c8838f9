using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.IngestLoad;

/// <summary>Settings of one latency run; the defaults are the edge's own.</summary>
public sealed record LatencySettings(int Rate, TimeSpan Duration)
{
    /// <summary>The forwarder's gzip (datacenter `gzip:` in edge.yaml).</summary>
    public bool Gzip { get; init; } = true;

    /// <summary>The spool's group-commit window; null: the spool's default.</summary>
    public TimeSpan? CommitWindow { get; init; }

    /// <summary>At the full rate before measuring: the JIT's tier-1 recompiles of both processes finish in it.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Edge → live subscriber latency at a paced sample rate: every 10 ms the "edge" (a real spool on disk and the real
/// forwarder) takes in rate/100 samples whose source time is the moment it received them; telemetry-ingest (own
/// process, store VictoriaMetrics) fans them out; a server-sent-events subscriber in its own process
/// (<see cref="SubscriberProcess"/>) measures arrival − source time. Also reported: the spool append (call → durable)
/// per tick, where the CPU went (this process = producer + spool + forwarder; subscriber; ingest; VictoriaMetrics) and, every 2 s, how long
/// until VictoriaMetrics answers a probe sample to a query (no force-flush: what an analyst sees).
/// </summary>
public static class LatencyRun
{
    public static async Task RunAsync(LatencySettings settings)
    {
        var (rate, duration) = (settings.Rate, settings.Duration);
        await using var vm = await VictoriaMetricsPeer.StartAsync();
        await using var ingest = await IngestProcess.StartAsync($"{{ kind: victoriametrics, url: '{vm.BaseAddress}' }}");
        using var dir = new TempDirectory("latency-spool");
        var spoolOptions = new SpoolOptions(dir.Combine("spool"));
        if (settings.CommitWindow is { } window)
        {
            spoolOptions = spoolOptions with { GroupCommitInterval = window };
        }

        await using var spool = await Spool.OpenAsync(spoolOptions);
        using var forwarder = new Forwarder(spool, new DatacenterOptions
        {
            Kind = DatacenterKind.TelemetryIngest,
            BaseUri = ingest.BaseAddress,
            EdgeId = "edge-latency",
            Token = IngestProcess.Token,
            Gzip = settings.Gzip,
        }, NullLogger<Forwarder>.Instance);
        await forwarder.StartAsync(CancellationToken.None);

        using var live = await SubscriberProcess.StartAsync(ingest.BaseAddress, IngestProcess.Token, rate * ((int)duration.TotalSeconds + 5));

        var perTick = Math.Max(1, rate / 100);
        var paths = Enumerable.Range(0, perTick).Select(i => new AssetPath("plant-load", "hall-1", "line-1", $"m{i / 100:D3}", $"tag_{i % 100:D3}")).ToArray();
        var probePath = new AssetPath("plant-load", "hall-1", "line-1", "probe", "probe");
        var queryable = new List<double>();
        var appends = new List<double>((int)duration.TotalSeconds * 100 + 100);
        using var batch = new SampleBatch(perTick + 1);
        long appended = 0, measuredAppended = 0;
        var warmup = settings.Warmup;
        var cpu = new CpuMeter(Environment.ProcessId, live.ProcessId, ingest.ProcessId, vm.Process.ProcessId);
        var watch = Stopwatch.StartNew();
        var tick = 0L;
        var nextProbe = warmup;
        var measuring = false;
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
                measuring = true;
                await live.StartMeasuringAsync();
                cpu.Start();
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

            var started = Stopwatch.GetTimestamp();
            await spool.WriteAsync(batch);
            appended += batch.Count;
            if (measuring)
            {
                appends.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                measuredAppended += batch.Count;
            }

            tick++;
        }

        var seconds = (watch.Elapsed - warmup).TotalSeconds;
        await Task.Delay(2000);
        cpu.Stop();
        var seen = await live.StopAsync();

        if (probe is not null)
        {
            await probe;
        }

        await forwarder.StopAsync(CancellationToken.None);
        queryable.Sort();
        appends.Sort();
        static double P(List<double> l, double q) => l.Count == 0 ? double.NaN : l[Math.Min(l.Count - 1, (int)(q * l.Count))];
        Console.WriteLine($"rate {rate:N0} samples/s for {duration.TotalSeconds:F0} s after {warmup.TotalSeconds:F0} s warm-up (gzip {(settings.Gzip ? "on" : "off")}, group commit {spoolOptions.GroupCommitInterval.TotalMilliseconds} ms): " +
            $"appended {appended:N0}, forwarded {forwarder.Status.DeliveredSamples:N0} in {forwarder.Status.DeliveredBatches:N0} requests ({forwarder.Status.FailedAttempts} failed attempts), " +
            $"received live {seen.Received:N0} (hub dropped {seen.Dropped:N0}), measured {seen.Measured:N0}; reached {measuredAppended / seconds:N0} samples/s while measuring");
        Console.WriteLine($"edge -> live subscriber ms: p50 {seen.P50:F0}, p99 {seen.P99:F0}, p99.9 {seen.P999:F0}, max {seen.Max:F0}");
        Console.WriteLine($"spool append (call -> durable) ms per tick: p50 {P(appends, 0.5):F2}, p99 {P(appends, 0.99):F2}, max {(appends.Count > 0 ? appends[^1] : double.NaN):F2}");
        Console.WriteLine($"edge -> queryable in VictoriaMetrics ms ({queryable.Count} probes): p50 {P(queryable, 0.5):F0}, max {(queryable.Count > 0 ? queryable[^1] : double.NaN):F0}");
        Console.WriteLine(cpu.Report(measuredAppended));
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

    /// <summary>CPU seconds of this process, the subscriber, the ingest and the store between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    private sealed class CpuMeter(int self, int subscriber, int ingest, int store)
    {
        private readonly int[] _pids = [self, subscriber, ingest, store];
        private readonly double[] _start = new double[4];
        private readonly double[] _used = new double[4];
        private long _startTicks;
        private double _wall;
        private long _allocated;
        private int _gen0;
        private int _gen2;

        public void Start()
        {
            for (var i = 0; i < _pids.Length; i++)
            {
                _start[i] = ProcessCpu.Seconds(_pids[i]);
            }

            _startTicks = Stopwatch.GetTimestamp();
            _allocated = GC.GetTotalAllocatedBytes();
            _gen0 = GC.CollectionCount(0);
            _gen2 = GC.CollectionCount(2);
        }

        public void Stop()
        {
            for (var i = 0; i < _pids.Length; i++)
            {
                _used[i] = ProcessCpu.Seconds(_pids[i]) - _start[i];
            }

            _wall = Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
            _allocated = GC.GetTotalAllocatedBytes() - _allocated;
            _gen0 = GC.CollectionCount(0) - _gen0;
            _gen2 = GC.CollectionCount(2) - _gen2;
        }

        public string Report(long samples)
        {
            var millions = Math.Max(1, samples) / 1e6;
            return $"CPU over {_wall:F1} s (cores used; s per M samples): edge+producer {_used[0] / _wall:F2} ({_used[0] / millions:F2}), " +
                $"allocated {(double)_allocated / Math.Max(1, samples):F1} B per sample, {_gen0} gen0 / {_gen2} gen2 GCs; " +
                $"subscriber {_used[1] / _wall:F2} ({_used[1] / millions:F2}), ingest {_used[2] / _wall:F2} ({_used[2] / millions:F2}), VictoriaMetrics {_used[3] / _wall:F2} ({_used[3] / millions:F2}); load {File.ReadAllText("/proc/loadavg").Trim()}";
        }
    }
}
