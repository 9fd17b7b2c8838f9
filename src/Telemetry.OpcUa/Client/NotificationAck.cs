namespace Telemetry.OpcUa.Client;

/// <summary>Where a <see cref="NotificationAck"/> goes: the <see cref="UaSubscription"/> the message came from (tests use a fake).</summary>
public interface INotificationAcknowledger
{
    /// <summary>Queues the acknowledgement of one NotificationMessage for the next Publish request; thread-safe.</summary>
    void Acknowledge(uint subscriptionId, uint sequenceNumber);
}

/// <summary>
/// The receipt of one NotificationMessage (OPC 10000-4 §5.13.1.1, §5.13.5): until it is acknowledged the server keeps
/// the message in its retransmission queue for Republish. A handler that stores values durably acknowledges only once
/// they are stored (<see cref="IDataChangeHandler.OnNotificationMessage"/>), so a crash in between loses nothing the
/// server still has. A value type: handing one on allocates nothing.
/// </summary>
public readonly record struct NotificationAck(INotificationAcknowledger Target, uint SubscriptionId, uint SequenceNumber)
{
    /// <summary>The message's values are safe: the session acknowledges it with its next Publish request.</summary>
    public void Acknowledge() => Target.Acknowledge(SubscriptionId, SequenceNumber);
}
