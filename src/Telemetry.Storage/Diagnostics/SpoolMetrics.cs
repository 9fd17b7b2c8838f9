using System.Diagnostics.Metrics;

namespace Telemetry.Storage.Diagnostics;

/// <summary>The spool's instruments (Meter "Telemetry.Storage"), exported as Prometheus text by the hosts.</summary>
internal sealed class SpoolMetrics : IDisposable
{
    public const string MeterName = "Telemetry.Storage";

    private readonly Meter _meter;

    public SpoolMetrics(Func<SpoolStatistics> snapshot, string directory)
    {
        _meter = new Meter(MeterName, "1.0", [new KeyValuePair<string, object?>("spool.directory", directory)]);
        AppendedSamples = _meter.CreateCounter<long>("telemetry.spool.appended.samples", "{sample}", "Samples durably appended");
        AppendedBytes = _meter.CreateCounter<long>("telemetry.spool.appended.bytes", "By", "Bytes durably appended");
        ReadSamples = _meter.CreateCounter<long>("telemetry.spool.read.samples", "{sample}", "Samples read by the forwarder");
        RecordsCut = _meter.CreateCounter<long>("telemetry.spool.recovery.cut.records", "{record}", "Torn or corrupt records cut at recovery");
        BytesCut = _meter.CreateCounter<long>("telemetry.spool.recovery.cut.bytes", "By", "Bytes cut at recovery");
        RecordsSkipped = _meter.CreateCounter<long>("telemetry.spool.corrupt.records", "{record}", "Corrupt records skipped by the reader");
        RecordsDropped = _meter.CreateCounter<long>("telemetry.spool.dropped.records", "{record}", "Records dropped by the disk budget");
        SamplesDropped = _meter.CreateCounter<long>("telemetry.spool.dropped.samples", "{sample}", "Samples dropped by the disk budget");
        AppendsRejected = _meter.CreateCounter<long>("telemetry.spool.rejected.appends", "{append}", "Appends rejected (budget, disk full, I/O)");
        FsyncDuration = _meter.CreateHistogram<double>("telemetry.spool.fsync.duration", "ms", "Time of one flush to disk",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000] });
        _meter.CreateObservableGauge("telemetry.spool.backlog.samples", () => snapshot().BacklogSamples, "{sample}", "Samples not yet acknowledged");
        _meter.CreateObservableGauge("telemetry.spool.backlog.records", () => snapshot().BacklogRecords, "{record}", "Records not yet acknowledged");
        _meter.CreateObservableGauge("telemetry.spool.backlog.bytes", () => snapshot().BacklogBytes, "By", "Bytes not yet acknowledged");
        _meter.CreateObservableGauge("telemetry.spool.backlog.age", () => snapshot().OldestUnacknowledgedAge?.TotalSeconds ?? 0, "s", "Age of the oldest unacknowledged sample");
        _meter.CreateObservableGauge("telemetry.spool.disk.bytes", () => snapshot().DiskBytes, "By", "Bytes of all segments");
    }

    public Counter<long> AppendedSamples { get; }

    public Counter<long> AppendedBytes { get; }

    public Counter<long> ReadSamples { get; }

    public Counter<long> RecordsCut { get; }

    public Counter<long> BytesCut { get; }

    public Counter<long> RecordsSkipped { get; }

    public Counter<long> RecordsDropped { get; }

    public Counter<long> SamplesDropped { get; }

    public Counter<long> AppendsRejected { get; }

    public Histogram<double> FsyncDuration { get; }

    public void Dispose() => _meter.Dispose();
}
