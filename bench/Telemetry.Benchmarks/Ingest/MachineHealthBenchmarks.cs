using BenchmarkDotNet.Attributes;
using Telemetry.Core;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Health;

namespace Telemetry.Benchmarks.Ingest;

/// <summary>
/// <see cref="MachineHealth.Apply"/> of one 5,000-sample batch of known series (50 machines × 100 tags), with no
/// rules or with a threshold, a rate and a no-data rule watching every tag (none trips). Reported per sample.
/// dotnet run -c Release --project bench/Telemetry.Benchmarks -- --filter '*MachineHealth*' --memory
/// </summary>
[MemoryDiagnoser]
public class MachineHealthBenchmarks
{
    private const int BatchSize = 5000;
    private Sample[] _batch = [];
    private MachineHealth _health = null!;

    [Params(false, true)]
    public bool Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = new Sample[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            var path = new AssetPath("plant-a", "hall-1", "line-1", $"cnc-{i / 100}", $"tag_{i % 100}");
            _batch[i] = new Sample(path, 1_764_576_000_000_000_000 + i, SampleValue.FromDouble(i), Quality.Good, 1_764_576_000_000_000_000 + i);
        }

        AlertRuleOptions[] rules = Rules
            ?
            [
                new AlertRuleOptions { Name = "hot", Field = "*", Above = 1e12 },
                new AlertRuleOptions { Name = "surge", Kind = AlertRuleKind.RateOfChange, Field = "*", RatePerSecond = 1e18 },
                new AlertRuleOptions { Name = "silent", Kind = AlertRuleKind.NoData, Field = "*", NoDataFor = TimeSpan.FromHours(1) },
            ]
            : [];
        _health = new MachineHealth(new HealthOptions { Rules = rules }, TimeProvider.System);
        _health.Apply("plant-a", _batch);
    }

    [GlobalCleanup]
    public void Cleanup() => _health.Dispose();

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void Apply() => _health.Apply("plant-a", _batch);
}
