using System.Text;
using BenchmarkDotNet.Attributes;
using Telemetry.Core;
using Telemetry.Core.Buffers;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Live;
using Telemetry.Ingest.Writing;
using Telemetry.LineProtocol;

namespace Telemetry.Benchmarks.Ingest;

/// <summary>
/// The ingest's CPU path per request body, without HTTP and store: parse every line, check its site (authorize),
/// decode the sample-schema lines (through the write path's <see cref="SampleSeriesCache"/>) and fan them out to one live subscriber (drained after each body, as its stream
/// would). One op = one body of 5,000 edge lines (50 machines × 100 tags, as the forwarder sends them, ~480 KB).
/// Reported per line (OperationsPerInvoke): lines/s per core = 1 / mean. With <c>Stamp</c> the body has no timestamps and is re-written with the
/// receive time (plain Influx clients). Target: ≥ 1 million lines/s per core.
/// dotnet run -c Release --project bench/Telemetry.Benchmarks -- --filter '*IngestPath*'
/// </summary>
[MemoryDiagnoser]
public class IngestPathBenchmarks
{
    private const int Lines = 5000;
    private readonly LineProtocolParser _parser = new();
    private readonly SampleLineDecoder _decoder = new();
    private readonly SampleSeriesCache _series = new();
    private readonly SampleBatch _samples = new(Lines);
    private readonly PooledByteBuffer _stamped = new(1 << 20);
    private byte[] _body = [];
    private byte[] _site = [];
    private LiveHub _hub = null!;
    private LiveSubscription _subscription = null!;

    [Params(false, true)]
    public bool Stamp { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var writer = new PooledByteBuffer(1 << 20);
        var lp = new LineProtocolWriter(writer);
        var encoder = new SampleLineEncoder();
        for (var i = 0; i < Lines; i++)
        {
            var path = new AssetPath("plant-a", "hall-1", "line-1", $"cnc-{i / 100}", $"tag_{i % 100}");
            encoder.Write(lp, new Sample(path, 1_764_576_000_000_000_000 + (i * 1000L), SampleValue.FromDouble(i * 0.25), Quality.Good, 0));
        }

        var body = Encoding.UTF8.GetString(writer.WrittenSpan);
        if (Stamp)
        {
            body = string.Join('\n', body.Split('\n').Select(l => l.Length == 0 ? l : l[..l.LastIndexOf(' ')]));
        }

        _body = Encoding.UTF8.GetBytes(body);
        _site = "plant-a"u8.ToArray();
        _hub = new LiveHub(new LiveOptions());
        _hub.TrySubscribe(LiveFilter.All, out var subscription);
        _subscription = subscription!;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int ValidateAndFanOut()
    {
        _samples.Clear();
        var result = BatchValidator.Validate(_parser, _body, _site, _decoder, _series, _samples, 1_764_576_000_000_000_000);
        if (result.PointsWithoutTimestamp > 0)
        {
            _stamped.Reset();
            BatchValidator.StampMissingTimestamps(_parser, _body, 1_764_576_000_000_000_000, _stamped);
        }

        _hub.Publish("plant-a", _samples.Samples);
        while (_subscription.TryRead(out var batch))
        {
            batch.Return();
        }

        return result.Points;
    }
}
