// Resource use of the edge agent on a small PC: N simulated tags at 1 s, through the spool, forwarded to a real
// InfluxDB. Runs the self-contained single-file build (what a factory PC gets) and samples its RSS and CPU from
// /proc after a warm-up.
//
//   dotnet run -c Release --project bench/Telemetry.EdgeLoad -- --tags 5000 --minutes 5
//   dotnet run -c Release --project bench/Telemetry.EdgeLoad -- --source opcua --tags 5000 --minutes 30
// --source opcua: the tags are Load items of the node-opcua simulated PLC (hardware/opcua-plc), changing every second,
// subscribed by one browse rule; prints RSS drift (last minute vs first measured minute) for the memory-flat check.
// Every 5 s it also reads the agent's managed heap from its /metrics (heap size after the last GC, GC committed bytes,
// collections), so a leak (heap after GC keeps growing) can be told from the GC settling (committed/RSS growing).
//   --env NAME=VALUE   passes an environment variable to the agent (e.g. DOTNET_GCConserveMemory=5), repeatable
//   --agent DIR        runs the agent published in DIR (publishes it there first if it is not there yet)
//   --csv FILE         writes the 5 s timeline (seconds, RSS, heap, committed, gen0/1/2 collections)
using System.Globalization;
using System.Text.Json;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

var tags = IntArg("--tags", 5000);
var minutes = DoubleArg("--minutes", 5);
var warmup = TimeSpan.FromSeconds(DoubleArg("--warmup-seconds", 60));
var opcUa = Array.IndexOf(args, "--source") is var si and >= 0 && args[si + 1] == "opcua";
var repo = FindRepositoryRoot();
var agentEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
var csvPath = Array.IndexOf(args, "--csv") is var ci and >= 0 ? args[ci + 1] : null;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--env" && args[i + 1].Split('=', 2) is [var envName, var envValue])
    {
        agentEnvironment[envName] = envValue;
    }
}

using var dir = new TempDirectory("edge-load");
var agentDirectory = Array.IndexOf(args, "--agent") is var ai and >= 0 ? Path.GetFullPath(args[ai + 1]) : dir.Combine("bin");
if (Array.IndexOf(args, "--agent") < 0 || !File.Exists(Path.Combine(agentDirectory, "telemetry-edge")))
{
    Console.WriteLine($"publishing the single-file agent to {agentDirectory} …");
    var publish = PeerProcess.Start("publish", "dotnet",
        ["publish", Path.Combine(repo, "edge", "Telemetry.EdgeAgent"), "-c", "Release", "-r", "linux-x64", "--self-contained",
         "-p:PublishSingleFile=true", "-o", agentDirectory, "--nologo"]);
    await using (publish)
    {
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            Console.Error.WriteLine(publish.Output);
            return 1;
        }
    }
}

await using var influx = await InfluxDbPeer.StartAsync();
await influx.CreateDatabaseAsync("plant");

// The three profiles have 9, 7 and 8 tags (hardware/profiles): enough machines for the tag count.
string[] profiles = ["cnc-mill", "hydraulic-press", "curing-oven"];
int[] tagsOf = [9, 7, 8];
var machines = new List<string>();
var total = 0;
for (var i = 0; total < tags; i++)
{
    machines.Add($"      - {{ name: m{i:D5}, profile: {profiles[i % 3]}, area: hall-{i / 100}, line: line-{i / 20} }}");
    total += tagsOf[i % 3];
}

var port = FreePort.Get();
var config = dir.Combine("edge.yaml");
PeerProcess? plc = null;
if (opcUa)
{
    var plcPort = FreePort.Get();
    plc = PeerProcess.Start("opcua-plc", "node",
        ["server.js", "--port", plcPort.ToString(CultureInfo.InvariantCulture), "--pki", dir.Combine("plc-pki"),
         "--items", tags.ToString(CultureInfo.InvariantCulture), "--load-ms", "1000"],
        Path.Combine(repo, "hardware", "opcua-plc"));
    var ready = DateTime.UtcNow.AddSeconds(90);
    while (!plc.Output.Contains("READY ", StringComparison.Ordinal))
    {
        if (plc.HasExited || DateTime.UtcNow > ready)
        {
            Console.Error.WriteLine($"the simulated PLC did not start: {plc.Output}");
            return 1;
        }

        await Task.Delay(200);
    }

    total = tags;
    await File.WriteAllTextAsync(config, $"""
        edge: {"{"} id: edge-load, site: plant-load, data_dir: {dir.Combine("data")} {"}"}
        web: {"{"} listen: 127.0.0.1:{port} {"}"}
        datacenter: {"{"} kind: influxdb1, url: {influx.BaseAddress}, database: plant {"}"}
        sources:
          - name: plc
            type: opcua
            endpoint: opc.tcp://127.0.0.1:{plcPort}
            publishing_interval: 1s
            sampling_interval: 1s
            nodes:
              - browse: Objects/PLC/Load
                machine: plc-load
        """);
}
else
{
    await File.WriteAllTextAsync(config, $"""
        edge: {"{"} id: edge-load, site: plant-load, data_dir: {dir.Combine("data")} {"}"}
        web: {"{"} listen: 127.0.0.1:{port} {"}"}
        datacenter: {"{"} kind: influxdb1, url: {influx.BaseAddress}, database: plant {"}"}
        sources:
          - name: plant
            type: simulator
            interval: 1s
            machines:
        {string.Join('\n', machines)}
        """);
}

Console.WriteLine($"{(opcUa ? "OPC UA PLC" : $"{machines.Count} machines")}, {total} tags at 1 s; warm-up {warmup.TotalSeconds:0} s, then {minutes} min measured");

if (agentEnvironment.Count > 0)
{
    Console.WriteLine($"agent environment: {string.Join(' ', agentEnvironment.Select(e => $"{e.Key}={e.Value}"))}");
}

var agent = PeerProcess.Start("telemetry-edge", Path.Combine(agentDirectory, "telemetry-edge"), ["run", "--config", config], environment: agentEnvironment);
await using (agent)
{
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    await Task.Delay(warmup);
    var ticksPerSecond = 100.0; // USER_HZ on Linux
    var (cpu0, wall0) = (CpuTicks(agent.ProcessId), DateTime.UtcNow);
    var edge0 = await EdgeAsync(http);
    var rss = new List<long>();
    var heap = new List<GcPoint>();
    using var csv = csvPath is null ? null : new StreamWriter(csvPath);
    csv?.WriteLine("seconds,rss_bytes,heap_bytes,committed_bytes,fragmented_bytes,gen0,gen1,gen2,rss_anon_bytes,rss_file_bytes,rss_shmem_bytes");
    var end = DateTime.UtcNow.AddMinutes(minutes);
    while (DateTime.UtcNow < end)
    {
        if (agent.HasExited)
        {
            Console.Error.WriteLine(agent.Output);
            return 1;
        }

        rss.Add(RssBytes(agent.ProcessId));
        var point = await GcAsync(http);
        heap.Add(point);
        csv?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(DateTime.UtcNow - wall0).TotalSeconds:0},{rss[^1]},{point.HeapBytes},{point.CommittedBytes},{point.FragmentedBytes},{point.Gen0},{point.Gen1},{point.Gen2},{StatusBytes(agent.ProcessId, "RssAnon:")},{StatusBytes(agent.ProcessId, "RssFile:")},{StatusBytes(agent.ProcessId, "RssShmem:")}"));
        await Task.Delay(TimeSpan.FromSeconds(5));
    }

    var (cpu1, wall1) = (CpuTicks(agent.ProcessId), DateTime.UtcNow);
    var edge1 = await EdgeAsync(http);
    var live = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/machines", UriKind.Relative))).RootElement;
    var liveTags = live.GetProperty("machines").EnumerateArray().Sum(m => m.GetProperty("tags").GetArrayLength());
    var seconds = (wall1 - wall0).TotalSeconds;
    var cpuPercent = (cpu1 - cpu0) / ticksPerSecond / seconds * 100;
    var written = (edge1.GetProperty("samplesWritten").GetInt64() - edge0.GetProperty("samplesWritten").GetInt64()) / seconds;
    var delivered = (edge1.GetProperty("datacenter").GetProperty("deliveredSamples").GetInt64()
        - edge0.GetProperty("datacenter").GetProperty("deliveredSamples").GetInt64()) / seconds;
    var backlog = edge1.GetProperty("spool").GetProperty("backlogSamples").GetInt64();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"tags {liveTags} (live view)  samples/s written {written:0}  delivered {delivered:0}  backlog at end {backlog}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RSS avg {rss.Average() / 1048576:0.0} MiB  max {rss.Max() / 1048576.0:0.0} MiB  CPU {cpuPercent:0.00}% of one core over {seconds:0} s"));
    var perMinute = Math.Max(1, Math.Min(12, rss.Count / 2)); // samples every 5 s
    var first = rss.Take(perMinute).Average();
    var last = rss.TakeLast(perMinute).Average();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RSS first minute {first / 1048576:0.0} MiB  last minute {last / 1048576:0.0} MiB  drift {(last - first) / first * 100:+0.0;-0.0}%"));
    Console.WriteLine(Drift("managed heap after GC", heap.Select(h => (double)h.HeapBytes).ToList(), perMinute));
    Console.WriteLine(Drift("GC committed", heap.Select(h => (double)h.CommittedBytes).ToList(), perMinute));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"GCs during the run: gen0 {heap[^1].Gen0 - heap[0].Gen0}  gen1 {heap[^1].Gen1 - heap[0].Gen1}  gen2 {heap[^1].Gen2 - heap[0].Gen2}"));
    await agent.StopAsync(TimeSpan.FromSeconds(20));
}

if (plc is not null)
{
    await plc.DisposeAsync();
}

return 0;

static string Drift(string what, List<double> values, int perMinute)
{
    var first = values.Take(perMinute).Average();
    var last = values.TakeLast(perMinute).Average();
    return string.Create(CultureInfo.InvariantCulture,
        $"{what} first minute {first / 1048576:0.0} MiB  last minute {last / 1048576:0.0} MiB  drift {(last - first) / first * 100:+0.0;-0.0}%  (min {values.Min() / 1048576:0.0}, max {values.Max() / 1048576:0.0})");
}

static async Task<GcPoint> GcAsync(HttpClient http)
{
    var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
    return new GcPoint(
        Metric(text, "dotnet_gc_heap_size_bytes "), Metric(text, "dotnet_gc_committed_bytes "), Metric(text, "dotnet_gc_fragmented_bytes "),
        Metric(text, "dotnet_gc_collections_total{generation=\"0\"} "), Metric(text, "dotnet_gc_collections_total{generation=\"1\"} "),
        Metric(text, "dotnet_gc_collections_total{generation=\"2\"} "));
}

static long Metric(string text, string prefix)
{
    foreach (var line in text.AsSpan().EnumerateLines())
    {
        if (line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return (long)double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
        }
    }

    return 0;
}

static async Task<JsonElement> EdgeAsync(HttpClient http) =>
    JsonDocument.Parse(await http.GetStringAsync(new Uri("api/edge", UriKind.Relative))).RootElement.Clone();

static long CpuTicks(int pid)
{
    // Fields after the ")" of the command name: state is 3rd, utime 14th, stime 15th.
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
}

static long RssBytes(int pid) => StatusBytes(pid, "VmRSS:");

// A "kB" line of /proc/PID/status (VmRSS, RssAnon, RssFile, RssShmem).
static long StatusBytes(int pid, string field)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith(field, StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }

    return 0;
}

static string FindRepositoryRoot()
{
    for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
    {
        if (File.Exists(Path.Combine(d.FullName, "Telemetry.sln")))
        {
            return d.FullName;
        }
    }

    throw new InvalidOperationException("run from inside the repository");
}

int IntArg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

double DoubleArg(string name, double fallback) => Array.IndexOf(args, name) is var i and >= 0 ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

internal readonly record struct GcPoint(long HeapBytes, long CommittedBytes, long FragmentedBytes, long Gen0, long Gen1, long Gen2);
