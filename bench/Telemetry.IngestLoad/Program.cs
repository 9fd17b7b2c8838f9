// Load harness of the datacenter path (issue 7). Starts its own peers on loopback; see bench/RESULTS.md.
//
//   dotnet run -c Release --project bench/Telemetry.IngestLoad -- throughput [--seconds 20] [--connections 4] [--pin] [--warmup-seconds 3]
//       the same gzip bodies (5,000 edge lines each) written to VictoriaMetrics and InfluxDB 1.x directly, and through
//       telemetry-ingest (its own process) into each of them and into the null store; lines/s, CPU per million lines.
//       --pin: the store alone on CPU 1, the load generator and the ingest on CPU 0 (the datacenter's separate machines).
//       --warmup-seconds: load before each measured row (also the ingest's JIT time; 3 s leaves JIT in the measurement).
//   dotnet run -c Release --project bench/Telemetry.IngestLoad -- latency [--rate 100000] [--seconds 30] [--gzip 0|1] [--commit-window-ms MS] [--warmup-seconds 10]
//       edge spool + forwarder -> telemetry-ingest (store VictoriaMetrics) -> a live SSE subscriber: latency from the
//       sample's source time (stamped when the edge received it) to its arrival at the subscriber, and to queryable;
//       the spool append per tick and the CPU of each process. --gzip 0: the forwarder sends plain line protocol;
//       --commit-window-ms: the spool's group-commit window (default the spool's).
using System.Globalization;
using Telemetry.IngestLoad;

var command = args.Length > 0 ? args[0] : "throughput";
if (command == "live-subscriber")
{
    return await SubscriberProcess.RunChildAsync(args); // the latency run's subscriber (a child process), stdout is its protocol
}

double Arg(string name, double fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

Console.WriteLine($"{DateTime.UtcNow:u} {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}");
switch (command)
{
    case "throughput":
        await ThroughputRun.RunAsync(TimeSpan.FromSeconds(Arg("--seconds", 20)), (int)Arg("--connections", 4), args.Contains("--pin"), TimeSpan.FromSeconds(Arg("--warmup-seconds", 3)));
        break;
    case "latency":
        await LatencyRun.RunAsync(new LatencySettings((int)Arg("--rate", 100_000), TimeSpan.FromSeconds(Arg("--seconds", 30)))
        {
            Gzip = Arg("--gzip", 1) != 0,
            CommitWindow = Arg("--commit-window-ms", -1) is >= 0 and var ms ? TimeSpan.FromMilliseconds(ms) : null,
            Warmup = TimeSpan.FromSeconds(Arg("--warmup-seconds", 10)),
        });
        break;
    default:
        Console.Error.WriteLine("usage: throughput [--seconds S] [--connections C] [--pin] | latency [--rate R] [--seconds S] [--gzip 0|1] [--commit-window-ms MS] [--warmup-seconds W]");
        return 2;
}

Console.WriteLine($"{DateTime.UtcNow:u} done, load {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;
