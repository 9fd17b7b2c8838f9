using MQTTnet;
using Telemetry.Edge.Mqtt.Pipeline;

namespace Telemetry.Edge.Mqtt.Client;

/// <summary>Sends the deferred PUBACK/PUBREC of a received QoS 1/2 message once its samples are durable.</summary>
internal sealed class ClientAck(MqttApplicationMessageReceivedEventArgs args) : PendingAck
{
    public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await args.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The connection that delivered it is gone; the broker redelivers on the next session (a duplicate,
            // never a loss).
        }
    }
}
