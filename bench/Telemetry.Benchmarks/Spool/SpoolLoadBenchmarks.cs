using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Telemetry.Benchmarks.Spooling;

/// <summary>
/// The spool's load scenarios (see bench/RESULTS.md "## Spool"), run once each, in process, on the real disk under
/// /var/tmp (or $SPOOL_BENCH_DIR). The figures are the "SPOOL-LOAD" lines each prints (also appended to
/// /var/tmp/spool-load.txt); BenchmarkDotNet's own time is only the scenario's wall time. The latency scenario runs at
/// each of $SPOOL_LATENCY_RATES (comma-separated samples/s; default 1,200,000), with 10 ms and with no group-commit wait.
/// </summary>
[Config(typeof(OnceInProcess))]
public class SpoolLoadBenchmarks
{
    private static readonly HashSet<string> Done = [];

    [Benchmark]
    public Task Append() => Once(nameof(Append), () => SpoolLoad.AppendThroughputAsync(20_000_000, inFlight: 32, CancellationToken.None));

    [Benchmark]
    public Task Records16K() => Once(nameof(Records16K), () => SpoolLoad.LargeRecordsAsync(1L << 30, inFlight: 256, CancellationToken.None));

    [Benchmark]
    public Task LatencyHalfLoad() => Once(nameof(LatencyHalfLoad), async () =>
    {
        var rates = (Environment.GetEnvironmentVariable("SPOOL_LATENCY_RATES") ?? "1200000").Split(',');
        var last = string.Empty;
        foreach (var rate in rates.Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)))
        {
            last = await SpoolLoad.LatencyAsync(rate, 1000, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), CancellationToken.None);
            last = await SpoolLoad.LatencyAsync(rate, 1000, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None);
        }

        return last;
    });

    [Benchmark]
    public Task Drain() => Once(nameof(Drain), async () =>
    {
        await SpoolLoad.DrainAsync(20_000_000, coldCache: false, CancellationToken.None);
        return await SpoolLoad.DrainAsync(20_000_000, coldCache: true, CancellationToken.None);
    });

    [Benchmark]
    public Task Restart10GB() => Once(nameof(Restart10GB), () => SpoolLoad.RestartAsync(10L * 1000 * 1000 * 1000, CancellationToken.None));

    [Benchmark]
    public Task SqliteAnchor() => Once(nameof(SqliteAnchor), () =>
    {
        SpoolLoad.Sqlite(2_000_000, "FULL");
        return Task.FromResult(SpoolLoad.Sqlite(2_000_000, "NORMAL"));
    });

    private static Task Once(string name, Func<Task<string>> scenario)
    {
        lock (Done)
        {
            if (!Done.Add(name))
            {
                return Task.CompletedTask;
            }
        }

        return scenario();
    }

    private sealed class OnceInProcess : ManualConfig
    {
        public OnceInProcess()
        {
            AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("once-in-process"));
        }
    }
}
