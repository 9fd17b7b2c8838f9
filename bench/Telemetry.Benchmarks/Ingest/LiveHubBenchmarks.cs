using BenchmarkDotNet.Attributes;
using Telemetry.Core;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Live;

namespace Telemetry.Benchmarks.Ingest;

/// <summary>
/// The live hub's cost on the write path: <see cref="LiveHub.Publish"/> of one 5,000-sample batch (50 machines ×
/// 100 tags) with 0, 1 and 10 subscribers, each taking everything of the site or one machine pattern; every
/// subscriber's queue is drained after each publish (as its stream would), so the figures include the copy into
/// the pooled batch, the queue and the array's return. Reported per sample.
/// dotnet run -c Release --project bench/Telemetry.Benchmarks -- --filter '*LiveHub*' --memory
/// </summary>
[MemoryDiagnoser]
public class LiveHubBenchmarks
{
    private const int BatchSize = 5000;
    private Sample[] _batch = [];
    private LiveHub _hub = null!;
    private LiveSubscription[] _subscriptions = [];

    [Params(0, 1, 10)]
    public int Subscribers { get; set; }

    /// <summary>"all": every sample of the site; "cnc-1?": machines cnc-10..cnc-19 (a fifth of the batch).</summary>
    [Params("all", "cnc-1?")]
    public string Machines { get; set; } = "all";

    [GlobalSetup]
    public void Setup()
    {
        _batch = new Sample[BatchSize];
        var paths = new AssetPath[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            paths[i] = new AssetPath("plant-a", "hall-1", "line-1", $"cnc-{i / 100}", $"tag_{i % 100}");
            _batch[i] = new Sample(paths[i], 1_764_576_000_000_000_000 + i, SampleValue.FromDouble(i), Quality.Good, 1_764_576_000_000_000_000 + i);
        }

        _hub = new LiveHub(new LiveOptions { QueueBatches = 16 });
        var filter = new LiveFilter(GlobPattern.Exactly("plant-a"), Machines == "all" ? GlobPattern.All : GlobPattern.Parse(Machines), GlobPattern.All);
        _subscriptions = new LiveSubscription[Subscribers];
        for (var i = 0; i < Subscribers; i++)
        {
            if (!_hub.TrySubscribe(filter, out var subscription))
            {
                throw new InvalidOperationException("subscriber refused");
            }

            _subscriptions[i] = subscription;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int Publish()
    {
        _hub.Publish("plant-a", _batch);
        var delivered = 0;
        foreach (var subscription in _subscriptions)
        {
            while (subscription.TryRead(out var batch))
            {
                delivered += batch.Count;
                batch.Return();
            }
        }

        return delivered;
    }
}
