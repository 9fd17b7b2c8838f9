namespace Telemetry.Harness.Measure;

/// <summary>One second of a scenario, as the CSV and the plot show it.</summary>
public sealed class SecondRow
{
    public int Second { get; init; }

    public long LiveSamples { get; set; }

    public double LiveP50Ms { get; set; } = double.NaN;

    public double LiveP99Ms { get; set; } = double.NaN;

    public double QueryableMs { get; set; } = double.NaN;

    public long EdgeBacklog { get; set; }

    public long EdgeSamplesWritten { get; set; }

    public double EdgeCpuPercent { get; set; }

    public double IngestCpuPercent { get; set; }

    public double EdgeRssMiB { get; set; }

    public double IngestRssMiB { get; set; }

    public string Phase { get; set; } = string.Empty;
}

/// <summary>
/// Per-second rows from the measured start (second 0) on, filled by the probes from their own loops: the live
/// subscriber adds latencies, the sampler closes each second with backlog, CPU and memory.
/// </summary>
public sealed class Timeline
{
    private readonly Lock _lock = new();
    private readonly List<SecondRow> _rows = [];
    private readonly List<long> _current = [];
    private int _currentSecond = -1;

    public Timeline(long startUnixMs) => StartUnixMs = startUnixMs;

    public long StartUnixMs { get; }

    public string Phase { get; set; } = "steady";

    public IReadOnlyList<SecondRow> Rows
    {
        get
        {
            lock (_lock)
            {
                return [.. _rows];
            }
        }
    }

    public int SecondOf(long unixMs) => (int)((unixMs - StartUnixMs) / 1000);

    /// <summary>A live sample arrived at <paramref name="nowMs"/> with latency <paramref name="latencyMs"/>.</summary>
    public void AddLive(long nowMs, long latencyMs)
    {
        var second = SecondOf(nowMs);
        if (second < 0)
        {
            return;
        }

        lock (_lock)
        {
            if (second != _currentSecond)
            {
                CloseCurrent();
                _currentSecond = second;
            }

            _current.Add(latencyMs);
            Row(second).LiveSamples++;
        }
    }

    public void SetQueryable(long atMs, double latencyMs)
    {
        var second = SecondOf(atMs);
        if (second >= 0)
        {
            lock (_lock)
            {
                Row(second).QueryableMs = latencyMs;
            }
        }
    }

    /// <summary>The sampler's view of second <paramref name="atMs"/>.</summary>
    public void Update(long atMs, Action<SecondRow> update)
    {
        var second = SecondOf(atMs);
        if (second >= 0)
        {
            lock (_lock)
            {
                var row = Row(second);
                update(row);
                row.Phase = Phase;
            }
        }
    }

    public void Close()
    {
        lock (_lock)
        {
            CloseCurrent();
        }
    }

    private void CloseCurrent()
    {
        if (_currentSecond < 0 || _current.Count == 0)
        {
            return;
        }

        _current.Sort();
        var row = Row(_currentSecond);
        row.LiveP50Ms = _current[(int)(0.5 * (_current.Count - 1))];
        row.LiveP99Ms = _current[(int)(0.99 * (_current.Count - 1))];
        _current.Clear();
    }

    private SecondRow Row(int second)
    {
        while (_rows.Count <= second)
        {
            _rows.Add(new SecondRow { Second = _rows.Count, Phase = Phase });
        }

        return _rows[second];
    }
}
