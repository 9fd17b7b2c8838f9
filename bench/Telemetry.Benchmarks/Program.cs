using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Telemetry.Benchmarks.LineProtocol;

// dotnet run -c Release --project bench/Telemetry.Benchmarks -- --filter '*'   (see bench/RESULTS.md)
// dotnet run -c Release --project bench/Telemetry.Benchmarks -- fuzz-lp [count] [seed]   (line protocol fuzz run)
if (args.Length > 0 && args[0] == "fuzz-lp")
{
    var count = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
    var seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
    var watch = Stopwatch.StartNew();
    var stats = LineProtocolFuzzer.Run(seed, count, done => Console.WriteLine($"  {done:N0} inputs, {watch.Elapsed.TotalSeconds:F0} s"));
    Console.WriteLine($"fuzz-lp seed {seed}: {stats.Inputs:N0} inputs ({stats.Bytes:N0} bytes), {stats.LinesRead:N0} lines read, " +
        $"{stats.Rejected:N0} inputs rejected with LineProtocolException, no other exception, {watch.Elapsed.TotalSeconds:F1} s");
    return;
}

// dotnet run -c Release --project bench/Telemetry.Benchmarks -- opcua-security-ratio [--rounds 300] [--batch 10]   (SecureReceiveRatio)
if (args.Length > 0 && args[0] == "opcua-security-ratio")
{
    Telemetry.Benchmarks.OpcUa.SecureReceiveRatio.Run(args[1..]);
    return;
}

// dotnet run -c Release --project bench/Telemetry.Benchmarks -- ingest-path-breakdown [--rounds 200] [--batch 4]   (IngestPathBreakdown)
if (args.Length > 0 && args[0] == "ingest-path-breakdown")
{
    Telemetry.Benchmarks.Ingest.IngestPathBreakdown.Run(args[1..]);
    return;
}

// typeof(LineProtocolFuzzer), not typeof(Program): the referenced ingest host has a Program type too.
BenchmarkSwitcher.FromAssembly(typeof(LineProtocolFuzzer).Assembly).Run(args);
