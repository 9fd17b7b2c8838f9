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
    public const string MqttSteady = "mqtt-steady";

    public static async Task<ScenarioResult> RunAsync(HarnessSettings settings, Fault? fault, TextWriter log, CancellationToken cancellationToken,
        HarnessStore store = HarnessStore.VictoriaMetrics, HarnessLoad load = HarnessLoad.OpcUa)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        settings = fault?.Adjust(settings) ?? settings;
        load = fault?.Load ?? load;
        var name = fault?.Name ?? (load == HarnessLoad.Mqtt ? MqttSteady : store == HarnessStore.InfluxDb1 ? SteadyInflux : Steady);
        var machines = HarnessRig.MqttMachinesPerFormat(settings);
        var loadText = load == HarnessLoad.Mqtt
            ? $"MQTT QoS 1 on Mosquitto: {machines} JSON + {machines} Sparkplug B machines × {HarnessRig.MqttTags} tags at {1000 / settings.LoadMs} Hz"
            : $"{settings.Items:N0} OPC UA items at {1000 / settings.LoadMs} Hz";
        var description = fault?.Describe(settings) ?? $"{loadText} into {(store == HarnessStore.InfluxDb1 ? "InfluxDB 1.x" : "VictoriaMetrics")}, no fault";
        log.WriteLine($"[{name}] starting the rig: {loadText} ({settings.SamplesPerSecond:N0} samples/s)");
        await using var rig = await HarnessRig.StartAsync(settings, store, fault?.Spool, cancellationToken, load);
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
        var fromTick = rig.Grid.TickAt(t0) + 1;
        var toTick = rig.Grid.TickAt(t1);
        var final = await DrainAsync(rig, settings, recovery, toTick, cancellationToken);
        await sampling.CancelAsync();
        await sampler;
        timeline.Close();

        // Seconds in which the edge said its source was down are NOT excused: the PLC (or the broker's session) kept
        // running and holding the data, so a sample missing then is lost; the log says how many fell in them.
        var notObservable = outcome?.NotObservable ?? [];
        var sourceDown = recovery.SourceDownAtMs.Select(down => new TickWindow(rig.Grid.TickAt(down - 7000), rig.Grid.TickAt(down + 2000), "edge's source down")).ToList();
        if (recovery.SourceDownAtMs.Count > 0)
        {
            log.WriteLine($"[{name}] the edge reported a source not connected in {recovery.SourceDownAtMs.Count} one-second samples (first {DateTimeOffset.FromUnixTimeMilliseconds(recovery.SourceDownAtMs[0]):HH:mm:ss.f} UTC)");
        }

        foreach (var (from, to) in recovery.IntakeStalls)
        {
            log.WriteLine($"[{name}] the edge wrote no new sample from {DateTimeOffset.FromUnixTimeMilliseconds(from):HH:mm:ss.f} to {DateTimeOffset.FromUnixTimeMilliseconds(to):HH:mm:ss.f} UTC ({(to - from) / 1000.0:0.0} s; ticks {rig.Grid.TickAt(from)}..{rig.Grid.TickAt(to)}): its source delivered nothing");
        }

        var (check, stored) = await CheckAsync(rig, fromTick, toTick, notObservable, sourceDown, final?.SamplesDropped ?? 0, log, cancellationToken);
        log.WriteLine($"[{name}] {check}");
        DropAccount? drops = null;
        if (final is { SamplesDropped: > 0 })
        {
            drops = DropAccount.Of(stored, check, final.SamplesDropped, notObservable, final.Drops, await rig.Ingest.MissingRecordsAsync(cancellationToken), rig.Grid.TickAt);
            log.WriteLine($"[{name}] {drops}");
        }

        foreach (var publisher in rig.Publishers)
        {
            log.WriteLine($"[{name}] {publisher.Format} devices: {publisher.Acknowledged:N0} messages acknowledged by the broker, {publisher.Resent:N0} re-sent, {publisher.Connections} connection(s), peak queue {publisher.MaxQueued:N0}, last error {publisher.LastError ?? "-"}");
        }

        if (check.Lost > 0)
        {
            log.WriteLine($"[{name}] window ticks {fromTick}..{toTick} ({DateTimeOffset.FromUnixTimeMilliseconds(rig.Grid.TickTimeMs(fromTick)):HH:mm:ss.f}..{DateTimeOffset.FromUnixTimeMilliseconds(rig.Grid.TickTimeMs(toTick)):HH:mm:ss.f} UTC); fault repaired {(outcome is null ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(outcome.RepairedAtMs).ToString("HH:mm:ss.f", System.Globalization.CultureInfo.InvariantCulture))}; edge {final}; ingest /api/edges: {await rig.Ingest.EdgesJsonAsync(cancellationToken)}\nedge log: {rig.Edge.Output}\ningest log: {rig.Ingest.Output}");
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
            Drops = drops,
            Note = drops is null ? outcome?.Note ?? string.Empty : string.Join("; ", new[] { outcome?.Note, drops.ToString() }.Where(n => !string.IsNullOrEmpty(n))),
            Rows = timeline.Rows,
        };
    }

    internal static async Task WarmUpAsync(HarnessRig rig, HarnessSettings settings, CancellationToken cancellationToken)
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
    private static async Task<EdgeStatus?> DrainAsync(HarnessRig rig, HarnessSettings settings, RecoveryTracker recovery, long toTick, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + settings.DrainTimeout;
        EdgeStatus? status = null;
        // MQTT devices first hand the broker every tick of the window (a backlog after a broker outage).
        while (DateTime.UtcNow < deadline && rig.Publishers.Any(p => p.OldestPendingTick <= toTick))
        {
            await Task.Delay(250, cancellationToken);
        }

        // What the broker (or the PLC) has taken is not yet in the edge's spool: wait until the live API has seen a
        // sample from after the window (an MQTT session delivers in order; a loaded edge runs tens of seconds behind).
        var pastWindowMs = rig.Grid.TickTimeMs(toTick) + 2000;
        while (DateTime.UtcNow < deadline && rig.Live.NewestSourceTimeMs < pastWindowMs)
        {
            await Task.Delay(250, cancellationToken);
        }

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

    private static async Task<(CheckResult Result, IdentityChecker Stored)> CheckAsync(HarnessRig rig, long fromTick, long toTick, IReadOnlyList<TickWindow> notObservable, List<TickWindow> sourceDown,
        long dropped, TextWriter log, CancellationToken cancellationToken)
    {
        CheckResult? result = null;
        IdentityChecker? last = null;
        var previousLost = long.MaxValue;
        // Five reads, and more (up to 40) while each finds more than the one before: samples still arriving.
        for (var attempt = 0; attempt < 40 && (attempt < 5 || result!.Lost < previousLost); attempt++)
        {
            previousLost = result?.Lost ?? long.MaxValue;
            await rig.Reader.ForceFlushAsync(cancellationToken);
            await Task.Delay(1000, cancellationToken);
            var checker = new IdentityChecker(rig.Series, fromTick, toTick, rig.Grid.TickTimeMs);
            await foreach (var point in rig.Reader.ExportAsync(null, null, rig.Grid.TickTimeMs(fromTick), rig.Grid.TickTimeMs(toTick), cancellationToken))
            {
                checker.Add(point);
            }

            result = checker.Result(notObservable);
            last = checker;
            if (result.Lost <= dropped)
            {
                break;
            }

            log.WriteLine($"[check {attempt + 1}] {result}; missing (incl. not observable): {checker.MissingRuns()}");

            await Task.Delay(2000, cancellationToken); // a new series can take a moment to become searchable
        }

        if (result!.Lost > dropped && sourceDown.Count > 0)
        {
            var excused = last!.Result([.. notObservable, .. sourceDown]);
            log.WriteLine($"[check] of the {result.Lost:N0} lost, {result.Lost - excused.Lost:N0} are within 7 s before to 2 s after a second in which the edge reported its source down");
        }

        return (result, last!);
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

            recovery.TrackIntake(status?.SamplesWritten, now);

            if (recovery.RepairedAtMs is { } repaired && recovery.RecoveredAtMs is null
                && rig.Live.NewestSourceTimeMs >= repaired && status is { } s && s.BacklogSamples < 2 * rate
                && recovery.IntakePerSecond >= 0.8 * rate)
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

        /// <summary>Spans (Unix ms) of 3 s or more in which the edge's samplesWritten did not move: its intake stalled.</summary>
        public List<(long FromMs, long ToMs)> IntakeStalls { get; } = [];

        private readonly Queue<(long AtMs, long Written)> _recent = new();
        private long _lastWritten = -1;

        /// <summary>
        /// What the edge's sources wrote per second over the last ~5 s (0 until then): a restarted edge can show fresh
        /// samples and an empty spool while its intake still runs far below the load (edge-kill at load 24: ~1,000/s for 33 s).
        /// </summary>
        public double IntakePerSecond
        {
            get
            {
                if (_recent.Count < 5)
                {
                    return 0;
                }

                var (fromMs, fromWritten) = _recent.Peek();
                var (toMs, toWritten) = _recent.Last();
                return toMs > fromMs ? (toWritten - fromWritten) * 1000.0 / (toMs - fromMs) : 0;
            }
        }
        private long _lastMoveMs;

        public void TrackIntake(long? written, long nowMs)
        {
            if (written is not { } w)
            {
                return; // the edge did not answer: no reading
            }

            if (_recent.Count > 0 && w < _recent.Peek().Written)
            {
                _recent.Clear(); // a restarted edge counts from 0
            }

            _recent.Enqueue((nowMs, w));
            while (_recent.Count > 6)
            {
                _recent.Dequeue();
            }

            if (w != _lastWritten)
            {
                if (_lastWritten >= 0 && nowMs - _lastMoveMs >= 3000)
                {
                    IntakeStalls.Add((_lastMoveMs, nowMs));
                }

                _lastWritten = w;
                _lastMoveMs = nowMs;
            }
        }

        public double? RecoverSeconds => RepairedAtMs is { } r && RecoveredAtMs is { } d ? Math.Max(0, d - r) / 1000.0 : null;
    }
}
