using Telemetry.Testing.Peers;

namespace Telemetry.IngestLoad;

/// <summary>
/// Stores written directly vs through telemetry-ingest, same bodies, same connections, same run. With
/// <c>pin</c> the store runs alone on CPU 1 in every row, and the load generator and the ingest share CPU 0 (the null
/// store row: the ingest alone on CPU 1), so "via ingest" against "direct" shows whether the ingest, on a core of its
/// own, keeps the store as busy as the store's own clients do.
/// </summary>
public static class ThroughputRun
{
    private const int Lines = 5000;

    public static async Task RunAsync(TimeSpan duration, int connections, bool pin = false, TimeSpan? warmup = null)
    {
        // The warm-up is also the ingest's JIT time: at 3 s on a loaded machine the JIT still took ~12 % of the ingest's
        // CPU in the measured seconds (perf), and none after ~25 s.
        var warm = warmup ?? TimeSpan.FromSeconds(3);
        var bodies = LoadBodies.Make(64, Lines);
        Console.WriteLine($"bodies: {bodies.Length} x {Lines} lines, {bodies.Average(b => b.Length) / 1024:F0} KiB gzip each; {connections} connections, {duration.TotalSeconds:F0} s per row after {warm.TotalSeconds:F0} s warm-up" +
            (pin ? "; pinned: store on CPU 1, load generator and ingest on CPU 0 (null store: ingest on CPU 1)" : ""));
        if (pin)
        {
            await CpuPinning.PinAsync(Environment.ProcessId, 0);
        }

        Console.WriteLine("| target | path | lines/s | requests failed | ingest CPU s per M lines | store CPU s per M lines | ingest RSS MiB |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");

        await using (var ingest = await IngestProcess.StartAsync("{ kind: none }"))
        {
            await PinIf(ingest.ProcessId, 1);
            await Row("null store", "via ingest", new Uri(ingest.BaseAddress, "api/v2/write?bucket=b"), IngestProcess.Token, ingest.ProcessId, null);
        }

        // Every row gets a store of its own, started empty: on a store shared by two rows the second row's store CPU
        // also paid the background merges of the first row's data (VictoriaMetrics via ingest: 2.11 store CPU s per M
        // lines after the direct row, against 1.81 direct).
        await using (var vm = await VictoriaMetricsPeer.StartAsync())
        {
            await PinIf(vm.Process.ProcessId, 1);
            await Row("VictoriaMetrics", "direct", new Uri(vm.BaseAddress, "write"), null, null, vm.Process.ProcessId);
        }

        await using (var vm = await VictoriaMetricsPeer.StartAsync())
        {
            await PinIf(vm.Process.ProcessId, 1);
            await using var ingest = await IngestProcess.StartAsync($"{{ kind: victoriametrics, url: '{vm.BaseAddress}' }}");
            await PinIf(ingest.ProcessId, 0);
            await Row("VictoriaMetrics", "via ingest", new Uri(ingest.BaseAddress, "api/v2/write?bucket=b"), IngestProcess.Token, ingest.ProcessId, vm.Process.ProcessId);
        }

        await using (var influx = await InfluxDbPeer.StartAsync())
        {
            await influx.CreateDatabaseAsync("load");
            await PinIf(influx.Process.ProcessId, 1);
            await Row("InfluxDB 1.x", "direct", influx.WriteUri("load"), null, null, influx.Process.ProcessId);
        }

        await using (var influx = await InfluxDbPeer.StartAsync())
        {
            await influx.CreateDatabaseAsync("load");
            await PinIf(influx.Process.ProcessId, 1);
            await using var ingest = await IngestProcess.StartAsync($"{{ kind: influxdb1, url: '{influx.BaseAddress}', database: load }}");
            await PinIf(ingest.ProcessId, 0);
            await Row("InfluxDB 1.x", "via ingest", new Uri(ingest.BaseAddress, "api/v2/write?bucket=b"), IngestProcess.Token, ingest.ProcessId, influx.Process.ProcessId);
        }

        async Task PinIf(int pid, int cpu)
        {
            if (pin)
            {
                await CpuPinning.PinAsync(pid, cpu);
            }
        }

        async Task Row(string target, string path, Uri uri, string? token, int? ingestPid, int? storePid)
        {
            await WriteLoad.RunAsync(uri, token, bodies, Lines, connections, warm);
            var ingestCpu = ingestPid is { } ip ? ProcessCpu.Seconds(ip) : 0;
            var storeCpu = storePid is { } sp ? ProcessCpu.Seconds(sp) : 0;
            var result = await WriteLoad.RunAsync(uri, token, bodies, Lines, connections, duration);
            var millions = result.Lines / 1e6;
            var ingestCost = ingestPid is { } ip2 ? $"{(ProcessCpu.Seconds(ip2) - ingestCpu) / millions:F2}" : "-";
            var storeCost = storePid is { } sp2 ? $"{(ProcessCpu.Seconds(sp2) - storeCpu) / millions:F2}" : "-";
            var rss = ingestPid is { } ip3 ? $"{ProcessCpu.RssBytes(ip3) / 1048576.0:F0}" : "-";
            Console.WriteLine($"| {target} | {path} | {result.LinesPerSecond:N0} | {result.Failures} of {result.Requests} | {ingestCost} | {storeCost} | {rss} |");
        }
    }
}
