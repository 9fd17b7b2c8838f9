using Telemetry.Harness.Check;
using Telemetry.Harness.Measure;
using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Scenarios;

/// <summary>
/// The soak (not in CI): hours of a realistic plant load, by default 10,000 OPC UA items at 1 Hz, no fault. Every
/// window (10 minutes by default) reports samples/s, live p50/p99, edge and ingest RSS and CPU, and the loss so far:
/// at each window's end the ticks up to 30 s before it are checked in the store, so the whole run is counted exactly
/// once in pieces; after the last window the edge drains and the rest is checked.
/// </summary>
public static class SoakScenario
{
    public const string Name = "soak";

    /// <summary>How far behind the window's end its check stops: samples younger than this may still be in flight.</summary>
    private static readonly TimeSpan CheckLag = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan MeterInterval = TimeSpan.FromSeconds(10);

    /// <summary>The soak's load unless --items / --load-ms say otherwise: 10,000 items at 1,000 ms (50 machines × 200 tags at 1 Hz in sample count).</summary>
    public static HarnessSettings Defaults(HarnessSettings settings, bool itemsGiven, bool loadGiven)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings with { Items = itemsGiven ? settings.Items : 10_000, LoadMs = loadGiven ? settings.LoadMs : 1000 };
    }

    public static async Task<SoakResult> RunAsync(HarnessSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var description = $"soak: {settings.Items:N0} OPC UA items every {settings.LoadMs} ms ({settings.SamplesPerSecond:N0} samples/s) into VictoriaMetrics for {settings.SoakDuration.TotalHours:0.##} h, windows of {settings.SoakWindow.TotalMinutes:0.#} min";
        log.WriteLine($"[{Name}] starting the rig: {description}");
        await using var rig = await HarnessRig.StartAsync(settings, HarnessStore.VictoriaMetrics, null, cancellationToken);
        await ScenarioRunner.WarmUpAsync(rig, settings, cancellationToken);

        var t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        rig.Live.Timeline = new Timeline(t0); // the live probe measures latencies only inside a timeline
        foreach (var meter in rig.Meters)
        {
            meter.ResetBaseline();
        }

        var end = t0 + (long)settings.SoakDuration.TotalMilliseconds;
        var checkedTick = rig.Grid.TickAt(t0);
        var firstTick = checkedTick + 1;
        long expected = 0, lost = 0, duplicated = 0, offGrid = 0;
        var windows = new List<SoakWindow>();
        var snapshot = rig.Live.Latencies.Snapshot();
        var received = rig.Live.Received;
        var cpu = rig.Meters.Select(m => m.CpuSeconds).ToArray();
        log.WriteLine($"[{Name}] measuring from {DateTime.UtcNow:HH:mm:ss} UTC until {DateTimeOffset.FromUnixTimeMilliseconds(end):HH:mm:ss} UTC");
        while (NowMs() < end - 1000)
        {
            var start = NowMs();
            var windowMs = (long)settings.SoakWindow.TotalMilliseconds;
            var windowEnd = end - (start + windowMs) < windowMs / 2 ? end : start + windowMs; // no short last window: it would skew the drift
            while (NowMs() < windowEnd)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(MeterInterval.TotalMilliseconds, Math.Max(1, windowEnd - NowMs()))), cancellationToken);
                foreach (var meter in rig.Meters)
                {
                    meter.Sample();
                }
            }

            var now = NowMs();
            var seconds = Math.Max(1, now - start) / 1000.0;
            var nextSnapshot = rig.Live.Latencies.Snapshot();
            var nextReceived = rig.Live.Received;
            var nextCpu = rig.Meters.Select(m => m.CpuSeconds).ToArray();
            var status = await rig.Edge.StatusAsync(cancellationToken);
            var toTick = rig.Grid.TickAt(now - (long)CheckLag.TotalMilliseconds);
            var check = await CheckAsync(rig, checkedTick + 1, toTick, log, cancellationToken);
            expected += check.Expected;
            lost += check.Lost;
            duplicated += check.Duplicated;
            offGrid += check.Foreign;
            var checkedSeconds = Math.Max(1, toTick - checkedTick) * settings.LoadMs / 1000.0;
            checkedTick = toTick;
            var window = new SoakWindow
            {
                Index = windows.Count,
                StartUtc = DateTimeOffset.FromUnixTimeMilliseconds(start),
                Seconds = seconds,
                LiveSamplesPerSecond = (nextReceived - received) / seconds,
                StoredSamplesPerSecond = check.Stored / checkedSeconds,
                LiveP50Ms = LatencyHistogram.PercentileBetween(snapshot, nextSnapshot, 0.5),
                LiveP99Ms = LatencyHistogram.PercentileBetween(snapshot, nextSnapshot, 0.99),
                EdgeRssMiB = rig.Meter("telemetry-edge").CurrentRssBytes / 1048576.0,
                IngestRssMiB = rig.Meter("telemetry-ingest").CurrentRssBytes / 1048576.0,
                EdgeCpuPercent = CpuPercent(rig, "telemetry-edge", cpu, nextCpu, seconds),
                IngestCpuPercent = CpuPercent(rig, "telemetry-ingest", cpu, nextCpu, seconds),
                StoreCpuPercent = CpuPercent(rig, HarnessRig.StoreRole, cpu, nextCpu, seconds),
                PlcCpuPercent = CpuPercent(rig, "PLC (node-opcua)", cpu, nextCpu, seconds),
                EdgeBacklog = status?.BacklogSamples ?? -1,
                ExpectedSoFar = expected,
                LostSoFar = lost,
                DuplicatedSoFar = duplicated,
            };
            windows.Add(window);
            log.WriteLine($"[{Name}] window {window.Index} ({window.Seconds:0} s from {window.StartUtc:HH:mm:ss}): live {window.LiveSamplesPerSecond:N0}/s, stored {window.StoredSamplesPerSecond:N0}/s, live p50 {window.LiveP50Ms:0} p99 {window.LiveP99Ms:0} ms, RSS edge {window.EdgeRssMiB:0.0} ingest {window.IngestRssMiB:0.0} MiB, CPU % edge {window.EdgeCpuPercent:0.0} ingest {window.IngestCpuPercent:0.0} store {window.StoreCpuPercent:0.0} PLC {window.PlcCpuPercent:0.0}, backlog {window.EdgeBacklog:N0}; so far expected {expected:N0} lost {lost:N0} duplicated {duplicated:N0}");
            (snapshot, received, cpu) = (nextSnapshot, nextReceived, nextCpu);
        }

        // The rest of the run: let the edge hand over what it still holds, then count the ticks not yet checked.
        var lastTick = rig.Grid.TickAt(NowMs());
        rig.Live.Timeline = null;
        var deadline = DateTime.UtcNow + settings.DrainTimeout;
        while (DateTime.UtcNow < deadline && rig.Live.NewestSourceTimeMs < rig.Grid.TickTimeMs(lastTick) + 2000)
        {
            await Task.Delay(250, cancellationToken);
        }

        while (DateTime.UtcNow < deadline && await rig.Edge.StatusAsync(cancellationToken) is not { BacklogSamples: 0 })
        {
            await Task.Delay(250, cancellationToken);
        }

        var rest = await CheckAsync(rig, checkedTick + 1, lastTick, log, cancellationToken);
        expected += rest.Expected;
        lost += rest.Lost;
        duplicated += rest.Duplicated;
        offGrid += rest.Foreign;
        log.WriteLine($"[{Name}] ticks {firstTick}..{lastTick}: expected {expected:N0}, lost {lost:N0}, duplicated {duplicated:N0}, off-grid {offGrid:N0}");
        return new SoakResult { Description = description, Windows = windows, Expected = expected, Lost = lost, Duplicated = duplicated, OffGrid = offGrid };
    }

    private static double CpuPercent(HarnessRig rig, string role, double[] before, double[] after, double seconds)
    {
        for (var i = 0; i < rig.Meters.Count; i++)
        {
            if (rig.Meters[i].Role == role)
            {
                return 100 * (after[i] - before[i]) / seconds;
            }
        }

        return double.NaN;
    }

    /// <summary>Counts ticks <paramref name="fromTick"/>..<paramref name="toTick"/> in the store; a loss is read again twice (a late batch) and then named by its runs.</summary>
    private static async Task<CheckResult> CheckAsync(HarnessRig rig, long fromTick, long toTick, TextWriter log, CancellationToken cancellationToken)
    {
        if (toTick < fromTick)
        {
            return new CheckResult(0, 0, 0, 0, 0, 0, string.Empty);
        }

        CheckResult? result = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await rig.Reader.ForceFlushAsync(cancellationToken);
            await Task.Delay(1000, cancellationToken);
            var checker = new IdentityChecker(rig.Series, fromTick, toTick, rig.Grid.TickTimeMs);
            await foreach (var point in rig.Reader.ExportAsync(null, null, rig.Grid.TickTimeMs(fromTick), rig.Grid.TickTimeMs(toTick), cancellationToken))
            {
                checker.Add(point);
            }

            result = checker.Result([]);
            if (result.Lost == 0)
            {
                break;
            }

            log.WriteLine($"[{Name}] [check {attempt + 1} of ticks {fromTick}..{toTick}] {result}; missing: {checker.MissingRuns()}");
            await Task.Delay(5000, cancellationToken);
        }

        return result!;
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
