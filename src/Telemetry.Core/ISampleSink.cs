namespace Telemetry.Core;

/// <summary>
/// Where sources put samples. <see cref="WriteAsync"/> completes only when the batch is durable (the spool has it
/// on disk), so a source may acknowledge its device (an MQTT PUBACK, an OPC UA publish acknowledgement) after it.
/// The sink reads the batch during the call and keeps no reference to it once the returned task completes.
/// </summary>
public interface ISampleSink
{
    ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default);
}
