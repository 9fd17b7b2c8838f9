namespace Telemetry.Edge.Mqtt.Pipeline;

/// <summary>
/// What to do once a QoS 1/2 message's samples are durable: send the PUBACK/PUBREC (client) or release the
/// publisher's PUBACK (embedded broker). Completed in receive order; never throws.
/// </summary>
internal abstract class PendingAck
{
    public abstract ValueTask CompleteAsync(CancellationToken cancellationToken);
}
