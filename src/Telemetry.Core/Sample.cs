namespace Telemetry.Core;

/// <summary>
/// One value of one tag of one machine at one source timestamp, with its quality and the time the edge received it.
/// Timestamps are Unix nanoseconds (<see cref="UnixTime"/>). A struct: batches hold them inline.
/// </summary>
public readonly record struct Sample(
    AssetPath Path,
    long SourceTimeNs,
    SampleValue Value,
    Quality Quality,
    long ReceiveTimeNs)
{
    public static Sample Create(AssetPath path, long sourceTimeNs, SampleValue value, long receiveTimeNs) =>
        new(path, sourceTimeNs, value, Quality.Good, receiveTimeNs);
}
