using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Telemetry.Core;
using Telemetry.Core.Buffers;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Health;
using Telemetry.Ingest.Live;
using Telemetry.Ingest.Writing;
using Telemetry.LineProtocol;

namespace Telemetry.Benchmarks.Ingest;

/// <summary>
/// Where the ingest's CPU per line goes, piece by piece, on the body <see cref="IngestPathBenchmarks"/> uses (5,000
/// edge lines): gunzip, parse alone, parse + site check, + sample decode, live publish with 0 and 1 subscribers,
/// machine health, and the whole accepted-batch path as the write handler runs it. Every piece runs in one process,
/// interleaved round by round (one short run of <c>--batch</c> bodies per piece per round) and the best run of each is
/// kept, so that machine load hits them alike. Prints ns per line and the allocated bytes per body.
/// dotnet run -c Release --project bench/Telemetry.Benchmarks -- ingest-path-breakdown [--rounds 200] [--batch 4]
/// </summary>
internal static class IngestPathBreakdown
{
    private const int Lines = 5000;
    private const long ReceiveNs = 1_764_576_000_000_000_000;
    private static readonly SampleLineDecoder SeriesDecoder = new();

    public static void Run(string[] args)
    {
        var rounds = BenchCommandLine.Option(args, "--rounds", 200);
        var batch = BenchCommandLine.Option(args, "--batch", 4);
        var body = MakeBody();
        var gzipped = Gzip(body);
        var site = "plant-a"u8.ToArray();
        var parser = new LineProtocolParser();
        var decoder = new SampleLineDecoder();
        var series = new SampleSeriesCache();
        var samples = new SampleBatch(Lines);
        var inflated = new PooledByteBuffer(1 << 20);
        var idleHub = new LiveHub(new LiveOptions());
        var hub = new LiveHub(new LiveOptions());
        hub.TrySubscribe(LiveFilter.All, out var subscription);
        using var health = new MachineHealth(new HealthOptions(), TimeProvider.System);
        var path = new AcceptedPath(health);

        (string Name, Func<int> Run)[] pieces =
        [
            ("gunzip (GZipStream into a pooled buffer)", () => Inflate(gzipped, inflated)),
            ("parse alone", () => ParseOnly(parser, body)),
            ("parse + site check", () => BatchValidator.Validate(parser, body, site, (SampleLineDecoder?)null, null, ReceiveNs).Points),
            ("parse + site check + sample decode (decoder)", () => Decode(parser, body, site, decoder, samples)),
            ("parse + site check + sample decode (series cache)", () => Decode(parser, body, site, series, samples)),
            ("live publish, 0 subscribers", () => Publish(idleHub, samples, null)),
            ("live publish, 1 subscriber (drained)", () => Publish(hub, samples, subscription)),
            ("machine health apply", () => Apply(health, samples)),
            ("accepted path, before (validate + decoder + live 0 + health)", () => path.Run(parser, body, site, decoder, null, samples)),
            ("accepted path, now (validate + series cache + live 0 + health)", () => path.Run(parser, body, site, null, series, samples)),
        ];

        Decode(parser, body, site, decoder, samples);
        Check(samples, parser, body, site, series);
        Console.WriteLine($"ingest-path-breakdown: {Lines} lines, {body.Length:N0} B ({gzipped.Length:N0} B gzip), " +
            $"{rounds} rounds x {batch} bodies per piece, interleaved; load {BenchCommandLine.LoadAverage("?")}");
        var best = new double[pieces.Length];
        var allocated = new long[pieces.Length];
        Array.Fill(best, double.MaxValue);
        var watch = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < pieces.Length; i++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var start = Stopwatch.GetTimestamp();
                for (var n = 0; n < batch; n++)
                {
                    pieces[i].Run();
                }

                var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / batch / Lines;
                allocated[i] = (GC.GetAllocatedBytesForCurrentThread() - before) / batch;
                best[i] = Math.Min(best[i], ns);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| piece | ns per line (best) | allocated per body |");
        Console.WriteLine("|---|---:|---:|");
        for (var i = 0; i < pieces.Length; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {pieces[i].Name} | {best[i]:F1} | {allocated[i]:N0} B |"));
        }

        Console.WriteLine($"{watch.Elapsed.TotalSeconds:F1} s; load {BenchCommandLine.LoadAverage("?")}");
    }

    /// <summary>The series cache must give exactly the decoder's samples.</summary>
    private static void Check(SampleBatch expected, LineProtocolParser parser, byte[] body, byte[] site, SampleSeriesCache series)
    {
        using var actual = new SampleBatch(Lines);
        for (var pass = 0; pass < 2; pass++)
        {
            Decode(parser, body, site, series, actual);
            if (!expected.Samples.SequenceEqual(actual.Samples))
            {
                throw new InvalidOperationException($"the series cache decoded other samples than the decoder (pass {pass})");
            }
        }
    }

    private static byte[] MakeBody()
    {
        using var writer = new PooledByteBuffer(1 << 20);
        var lp = new LineProtocolWriter(writer);
        var encoder = new SampleLineEncoder();
        for (var i = 0; i < Lines; i++)
        {
            var path = new AssetPath("plant-a", "hall-1", "line-1", $"cnc-{i / 100}", $"tag_{i % 100}");
            encoder.Write(lp, new Sample(path, ReceiveNs + (i * 1000L), SampleValue.FromDouble(i * 0.25), Quality.Good, 0));
        }

        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Gzip(byte[] body)
    {
        using var output = new MemoryStream();
        using (var zip = new GZipStream(output, CompressionLevel.Fastest))
        {
            zip.Write(body);
        }

        return output.ToArray();
    }

    private static int Inflate(byte[] gzipped, PooledByteBuffer inflated)
    {
        inflated.Reset();
        using var source = new MemoryStream(gzipped, writable: false);
        using var gzip = new GZipStream(source, CompressionMode.Decompress);
        while (true)
        {
            var read = gzip.Read(inflated.GetSpan(64 * 1024));
            if (read == 0)
            {
                return inflated.Length;
            }

            inflated.Advance(read);
        }
    }

    private static int ParseOnly(LineProtocolParser parser, byte[] body)
    {
        var count = 0;
        var reader = parser.CreateReader(body);
        while (reader.TryReadLine(out _))
        {
            count++;
        }

        return count;
    }

    private static int Decode(LineProtocolParser parser, byte[] body, byte[] site, SampleLineDecoder decoder, SampleBatch samples)
    {
        samples.Clear();
        return BatchValidator.Validate(parser, body, site, decoder, samples, ReceiveNs).Points;
    }

    private static int Decode(LineProtocolParser parser, byte[] body, byte[] site, SampleSeriesCache series, SampleBatch samples)
    {
        samples.Clear();
        return BatchValidator.Validate(parser, body, site, SeriesDecoder, series, samples, ReceiveNs).Points;
    }

    private static int Publish(LiveHub hub, SampleBatch samples, LiveSubscription? subscription)
    {
        hub.Publish("plant-a", samples.Samples);
        while (subscription is not null && subscription.TryRead(out var live))
        {
            live.Return();
        }

        return samples.Count;
    }

    private static int Apply(MachineHealth health, SampleBatch samples)
    {
        health.Apply("plant-a", samples.Samples);
        return samples.Count;
    }

    /// <summary>What the write handler runs for an accepted body before the store write (live hub idle).</summary>
    private sealed class AcceptedPath(MachineHealth health)
    {
        private readonly LiveHub _idle = new(new LiveOptions());

        public int Run(LineProtocolParser parser, byte[] body, byte[] site, SampleLineDecoder? decoder, SampleSeriesCache? series, SampleBatch samples)
        {
            var points = series is null ? Decode(parser, body, site, decoder!, samples) : Decode(parser, body, site, series, samples);
            _idle.Publish("plant-a", samples.Samples);
            health.Apply("plant-a", samples.Samples);
            return points;
        }
    }
}
