using Telemetry.Edge.Mqtt.Pipeline;

namespace Telemetry.Edge.Mqtt.Broker;

/// <summary>Releases the publisher's PUBACK (the interceptor awaits <see cref="Durable"/>) once its samples are in the spool.</summary>
internal sealed class BrokerAck : PendingAck
{
    private readonly TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Durable => _durable.Task;

    public override ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        _durable.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
