using System.Diagnostics;
using System.Globalization;
using Telemetry.OpcUa.Security;

namespace Telemetry.Benchmarks.OpcUa;

/// <summary>
/// The SignAndEncrypt / None ratio of <see cref="SecureReceiveBenchmarks"/> measured so that machine load hits every
/// setting alike: all seven settings in one process, interleaved round by round (one short run of
/// <c>--batch</c> responses per setting per round), the best run of each setting kept. Prints values/s per setting,
/// the extra time per 8 KiB chunk against None, and each secured setting's share of None's throughput.
/// dotnet run -c Release --project bench/Telemetry.Benchmarks -- opcua-security-ratio [--rounds 300] [--batch 10]
/// </summary>
internal static class SecureReceiveRatio
{
    public static void Run(string[] args)
    {
        var rounds = BenchCommandLine.Option(args, "--rounds", 300);
        var batch = BenchCommandLine.Option(args, "--batch", 10);
        Console.WriteLine($"opcua-security-ratio: {SecureReceivePath.Values} values per PublishResponse, {SecureReceivePath.ChunkSize} B chunks, " +
            $"{rounds} rounds x {batch} responses per setting, interleaved; load {BenchCommandLine.LoadAverage()}");
        using var clientCertificate = ApplicationCertificateFactory.Create("urn:bench:client", "Bench client", ["localhost"]);
        using var serverCertificate = ApplicationCertificateFactory.Create("urn:bench:server", "Bench server", ["127.0.0.1"]);
        var paths = new SecureReceivePath[SecureReceivePath.Settings.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = new SecureReceivePath(SecureReceivePath.Settings[i], clientCertificate, serverCertificate);
        }

        try
        {
            var best = new double[paths.Length];
            Array.Fill(best, double.MaxValue);
            var watch = Stopwatch.StartNew();
            for (var round = 0; round < rounds; round++)
            {
                for (var i = 0; i < paths.Length; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    for (var n = 0; n < batch; n++)
                    {
                        paths[i].Receive();
                    }

                    var nsPerValue = Stopwatch.GetElapsedTime(start).TotalNanoseconds / batch / SecureReceivePath.Values;
                    best[i] = Math.Min(best[i], nsPerValue);
                }
            }

            Print(paths, best);
            Console.WriteLine($"{watch.Elapsed.TotalSeconds:F1} s; load {BenchCommandLine.LoadAverage()}");
        }
        finally
        {
            foreach (var path in paths)
            {
                path.Dispose();
            }
        }
    }

    private static void Print(SecureReceivePath[] paths, double[] best)
    {
        var none = best[0];
        Console.WriteLine();
        Console.WriteLine("| Security | chunks (wire B) | ns/value | values/s | extra per chunk vs None | % of None |");
        Console.WriteLine("|---|---|---|---|---|---|");
        for (var i = 0; i < paths.Length; i++)
        {
            var extraPerChunkUs = (best[i] - none) * SecureReceivePath.Values / paths[i].ChunkCount / 1000;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {paths[i].Security} | {paths[i].ChunkCount} ({paths[i].WireBytes:N0}) | {best[i]:F1} | {1e9 / best[i] / 1e6:F2} M | " +
                $"{(i == 0 ? "-" : $"{extraPerChunkUs:F1} us")} | {none / best[i] * 100:F1} % |"));
        }
    }
}
