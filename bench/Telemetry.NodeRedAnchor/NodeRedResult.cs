namespace Telemetry.NodeRedAnchor;

/// <summary>
/// What one Node-RED anchor run measured. "Offered" (changes the PLC produced) is not known here: the caller knows
/// the PLC's change rate and computes it with <see cref="ExpectedSamples"/>.
/// </summary>
public sealed record NodeRedResult
{
    /// <summary>Items subscribed (after resolving NodeIds or browsing BrowseRoot).</summary>
    public required int Items { get; init; }

    /// <summary>The node ids as given to Node-RED (namespace indexes of this server session).</summary>
    public required IReadOnlyList<string> NodeIds { get; init; }

    /// <summary>Window of source timestamps counted: [WindowStart, WindowEnd).</summary>
    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    public TimeSpan Window => WindowEnd - WindowStart;

    /// <summary>Points in InfluxDB with a source timestamp in the window, counted after the drain time.</summary>
    public required long SamplesStored { get; init; }

    public double SamplesPerSecond => Window > TimeSpan.Zero ? SamplesStored / Window.TotalSeconds : 0;

    /// <summary>
    /// Points that reached InfluxDB while the window ran, whatever their source timestamps: the store rate Node-RED
    /// sustained. Much more than <see cref="SamplesStored"/> means it was still writing a backlog from before the window.
    /// </summary>
    public required long PointsArrived { get; init; }

    public double PointsArrivedPerSecond => Window > TimeSpan.Zero ? PointsArrived / Window.TotalSeconds : 0;

    /// <summary>
    /// Window end minus the newest source timestamp stored by then: how far behind the PLC Node-RED's writes were
    /// (a few sampling intervals when it keeps up; growing when it queues changes in memory).
    /// </summary>
    public required TimeSpan LagAtWindowEnd { get; init; }

    /// <summary>
    /// Data changes the flow's function node saw during the window (Node-RED logs its counter once a second, so
    /// this is within about one second's worth of changes); more than <see cref="SamplesStored"/> when writes fail or lag.
    /// </summary>
    public required long NotificationsReceived { get; init; }

    /// <summary>
    /// Changes received during the window that carried the OPC UA Overflow bit: the PLC's queue of that item had
    /// filled up and it discarded older values (the changes Node-RED's client did not fetch in time are lost there).
    /// </summary>
    public required long OverflowsReceived { get; init; }

    /// <summary>Errors the flow's catch node saw over the whole run (failed InfluxDB writes, OPC UA client errors).</summary>
    public required long Errors { get; init; }

    /// <summary>user + system CPU seconds of the Node-RED process (/proc/PID/stat) during the window.</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>CPU seconds per million points Node-RED wrote during the window (<see cref="PointsArrived"/>: the work that CPU did).</summary>
    public double CpuSecondsPerMillionSamples => PointsArrived > 0 ? CpuSeconds / PointsArrived * 1e6 : double.PositiveInfinity;

    /// <summary>VmHWM of the Node-RED process (/proc/PID/status) at the end of the window: its peak resident set.</summary>
    public required long PeakRssBytes { get; init; }

    /// <summary>From starting Node-RED until every item had been stored once.</summary>
    public required TimeSpan StartupTime { get; init; }

    /// <summary>From starting Node-RED until its flow had handed the last subscribe message to the OPC UA client node (null: not logged).</summary>
    public TimeSpan? SubscribeSentTime { get; init; }

    /// <summary>Time install.sh took (well under a second when the cached install was current).</summary>
    public required TimeSpan InstallTime { get; init; }

    /// <summary>
    /// Changes a PLC offers in <paramref name="duration"/> when each of <paramref name="items"/> changes every
    /// <paramref name="changePeriod"/> and is sampled every <paramref name="samplingInterval"/>: a sampled item
    /// reports at most one change per sampling interval (hardware/opcua-plc --load-ms is the change period).
    /// </summary>
    public static long ExpectedSamples(int items, TimeSpan changePeriod, TimeSpan samplingInterval, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(changePeriod, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplingInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var period = samplingInterval > changePeriod ? samplingInterval : changePeriod;
        return (long)Math.Floor(items * (duration.Ticks / (double)period.Ticks));
    }
}
