using Telemetry.Harness.Check;
using Telemetry.Harness.Faults;
using Telemetry.Harness.Measure;
using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Scenarios;

/// <summary>
/// One scenario on a fresh rig: warm up, measure a steady window (with the fault in its middle, if any), stop
/// measuring, let the edge drain its spool, then count every expected (item, tick) in the store.
/// </summary>
public static class ScenarioRunner
{
    public const string Steady = "steady";
    public const string SteadyInflux = "steady-influxdb";

    public static async Task<ScenarioResult> RunAsync(HarnessSettings settings, Fault? fault, TextWriter log, CancellationToken cancellationToken,
        HarnessStore store = HarnessStore.VictoriaMetrics)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        settings = fault?.Adjust(settings) ?? settings;
        var name = fault?.Name ?? (store == HarnessStore.InfluxDb1 ? SteadyInflux : Steady);
        var description = fault?.Describe(settings) ?? $"{settings.Items:N0} OPC UA items at {1000 / settings.LoadMs} Hz into {(store == HarnessStore.InfluxDb1 ? "InfluxDB 1.x" : "VictoriaMetrics")}, no fault";
        log.WriteLine($"[{name}] starting the rig: {settings.Items:N0} items every {settings.LoadMs} ms ({settings.SamplesPerSecond:N0} samples/s)");
        await using var rig = await HarnessRig.StartAsync(settings, store, fault?.Spool, cancellationToken);
        await WarmUpAsync(rig, settings, cancellationToken);

        // The measured window starts on a tick boundary: ticks after t0 and up to t1 are expected.
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var timeline = new Timeline(t0);
        rig.Live.Timeline = timeline;
        rig.Queryable.Timeline = timeline;
        foreach (var meter in rig.Meters)
        {
            meter.ResetBaseline();
        }

        var recovery = new RecoveryTracker();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleLoopAsync(rig, timeline, recovery, settings.SamplesPerSecond, sampling.Token);
        log.WriteLine($"[{name}] measuring from {DateTime.UtcNow:HH:mm:ss} UTC: {description}");
        await Task.Delay(settings.Before, cancellationToken);
        FaultOutcome? outcome = null;
        if (fault is not null)
        {
            timeline.Phase = fault.Name;
            log.WriteLine($"[{name}] fault at {DateTime.UtcNow:HH:mm:ss.f} UTC");
            outcome = await fault.RunAsync(rig, settings, cancellationToken);
            recovery.RepairedAtMs = outcome.RepairedAtMs;
            timeline.Phase = "after";
            log.WriteLine($"[{name}] repaired at {DateTime.UtcNow:HH:mm:ss.f} UTC {outcome.Note}");
            await Task.Delay(settings.After, cancellationToken);
        }

        var t1 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var meter in rig.Meters)
        {
            meter.Sample();
        }

        var processes = rig.Meters.Select(m => (m.Role, m.CpuSeconds, m.PeakRssBytes)).ToList();
        rig.Live.Timeline = null;
        rig.Queryable.Timeline = null;
        timeline.Phase = "drain";
        var final = await DrainAsync(rig, settings, recovery, cancellationToken);
        await sampling.CancelAsync();
        await sampler;
        timeline.Close();

        var fromTick = rig.Plc.TickAt(t0) + 1;
        var toTick = rig.Plc.TickAt(t1);
        // Seconds in which the edge said its OPC UA session was down (e.g. a PLC starved past the 5 s keep-alive on a
        // loaded machine): what the PLC produced then never reached the edge, like a PLC restart.
        var notObservable = new List<TickWindow>(outcome?.NotObservable ?? []);
        foreach (var down in recovery.SourceDownAtMs)
        {
            notObservable.Add(new TickWindow(rig.Plc.TickAt(down - 7000), rig.Plc.TickAt(down + 2000), "edge's OPC UA session down"));
        }

        if (recovery.SourceDownAtMs.Count > 0)
        {
            log.WriteLine($"[{name}] the edge reported its OPC UA source not connected in {recovery.SourceDownAtMs.Count} one-second samples: counted as not observable (7 s before to 2 s after each)");
        }

        var check = await CheckAsync(rig, fromTick, toTick, notObservable, final?.SamplesDropped ?? 0, cancellationToken);
        log.WriteLine($"[{name}] {check}");
        if (check.Lost > 0)
        {
            log.WriteLine($"[{name}] window ticks {fromTick}..{toTick} ({DateTimeOffset.FromUnixTimeMilliseconds(rig.Plc.TickTimeMs(fromTick)):HH:mm:ss.f}..{DateTimeOffset.FromUnixTimeMilliseconds(rig.Plc.TickTimeMs(toTick)):HH:mm:ss.f} UTC); fault repaired {(outcome is null ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(outcome.RepairedAtMs).ToString("HH:mm:ss.f", System.Globalization.CultureInfo.InvariantCulture))}; edge {final}; ingest /api/edges: {await rig.Ingest.EdgesJsonAsync(cancellationToken)}\nedge log: {rig.Edge.Output}\ningest log: {rig.Ingest.Output}");
        }
        var seconds = (t1 - t0) / 1000.0;
        var millions = Math.Max(1, check.Stored) / 1e6;
        return new ScenarioResult
        {
            Name = name,
            Description = description,
            MeasuredSeconds = seconds,
            Check = check,
            SamplesPerSecond = check.Stored / seconds,
            LiveP50 = rig.Live.Latencies.Percentile(0.5),
            LiveP99 = rig.Live.Latencies.Percentile(0.99),
            LiveP999 = rig.Live.Latencies.Percentile(0.999),
            QueryableP50 = rig.Queryable.Latencies.Percentile(0.5),
            QueryableP99 = rig.Queryable.Latencies.Percentile(0.99),
            QueryableP999 = rig.Queryable.Latencies.Percentile(0.999),
            Processes = [.. processes.Select(p => new ProcessFigures(p.Role, p.CpuSeconds, p.CpuSeconds / millions, p.PeakRssBytes / 1048576.0))],
            IsFault = fault is not null,
            RecoverSeconds = recovery.RecoverSeconds,
            DroppedReported = final?.SamplesDropped ?? 0,
            Note = outcome?.Note ?? string.Empty,
            Rows = timeline.Rows,
        };
    }

    private static async Task WarmUpAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (rig.Live.Received == 0 || await rig.Edge.StatusAsync(cancellationToken) is not { SourcesConnected: true })
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no sample reached the ingest's live API within 120 s. Edge: {rig.Edge.Output}\nIngest: {rig.Ingest.Output}");
            }

            await Task.Delay(200, cancellationToken);
        }

        await Task.Delay(settings.Warmup, cancellationToken);
    }

    /// <summary>Waits until the edge's spool is empty (everything acknowledged), the last status.</summary>
    private static async Task<EdgeStatus?> DrainAsync(HarnessRig rig, HarnessSettings settings, RecoveryTracker recovery, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + settings.DrainTimeout;
        EdgeStatus? status = null;
        while (DateTime.UtcNow < deadline)
        {
            status = await rig.Edge.StatusAsync(cancellationToken);
            if (status is { BacklogSamples: 0 } && (recovery.RepairedAtMs is null || recovery.RecoverSeconds is not null))
            {
                break;
            }

            await Task.Delay(250, cancellationToken);
        }

        await Task.Delay(500, cancellationToken);
        return await rig.Edge.StatusAsync(cancellationToken) ?? status;
    }

    private static async Task<CheckResult> CheckAsync(HarnessRig rig, long fromTick, long toTick, IReadOnlyList<TickWindow> notObservable, long dropped, CancellationToken cancellationToken)
    {
        CheckResult? result = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await rig.Reader.ForceFlushAsync(cancellationToken);
            await Task.Delay(1000, cancellationToken);
            var checker = new IdentityChecker(rig.Series, fromTick, toTick, rig.Plc.TickTimeMs);
            await foreach (var point in rig.Reader.ExportAsync(null, null, rig.Plc.TickTimeMs(fromTick), rig.Plc.TickTimeMs(toTick), cancellationToken))
            {
                checker.Add(point);
            }

            result = checker.Result(notObservable);
            if (result.Lost <= dropped)
            {
                break;
            }

            await Task.Delay(2000, cancellationToken); // a new series can take a moment to become searchable
        }

        return result!;
    }

    private static async Task SampleLoopAsync(HarnessRig rig, Timeline timeline, RecoveryTracker recovery, double rate, CancellationToken cancellationToken)
    {
        var edge = rig.Meter("telemetry-edge");
        var ingest = rig.Meter("telemetry-ingest");
        var (edgeCpu, ingestCpu, at) = (edge.CpuSeconds, ingest.CpuSeconds, Environment.TickCount64);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(1000, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (var meter in rig.Meters)
            {
                meter.Sample();
            }

            var status = await rig.Edge.StatusAsync(cancellationToken);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var elapsed = Math.Max(1, Environment.TickCount64 - at) / 1000.0;
            var (e, i) = (edge.CpuSeconds, ingest.CpuSeconds);
            timeline.Update(now - 1, row =>
            {
                row.EdgeBacklog = status?.BacklogSamples ?? -1;
                row.EdgeSamplesWritten = status?.SamplesWritten ?? -1;
                row.EdgeCpuPercent = 100 * (e - edgeCpu) / elapsed;
                row.IngestCpuPercent = 100 * (i - ingestCpu) / elapsed;
                row.EdgeRssMiB = edge.CurrentRssBytes / 1048576.0;
                row.IngestRssMiB = ingest.CurrentRssBytes / 1048576.0;
            });
            (edgeCpu, ingestCpu, at) = (e, i, Environment.TickCount64);
            if (status is { SourcesConnected: false })
            {
                recovery.SourceDownAtMs.Add(now);
            }

            if (recovery.RepairedAtMs is { } repaired && recovery.RecoveredAtMs is null
                && rig.Live.NewestSourceTimeMs >= repaired && status is { } s && s.BacklogSamples < 2 * rate)
            {
                recovery.RecoveredAtMs = now;
            }
        }
    }

    private sealed class RecoveryTracker
    {
        public long? RepairedAtMs { get; set; }

        public long? RecoveredAtMs { get; set; }

        /// <summary>When the edge said a source was not connected (read once the sampler has stopped).</summary>
        public List<long> SourceDownAtMs { get; } = [];

        public double? RecoverSeconds => RepairedAtMs is { } r && RecoveredAtMs is { } d ? Math.Max(0, d - r) / 1000.0 : null;
    }
}
