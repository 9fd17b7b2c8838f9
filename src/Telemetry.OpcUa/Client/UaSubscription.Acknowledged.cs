namespace Telemetry.OpcUa.Client;

/// <summary>
/// Which messages of this subscription the handler has acknowledged (<see cref="AcknowledgedSequence"/>): what a
/// client resuming after a crash skips instead of republishing (<see cref="UaResumeState"/>).
/// </summary>
public sealed partial class UaSubscription
{
    private readonly AcknowledgedSequence _acknowledged = new();

    /// <summary>Every message up to this sequence number was acknowledged by the handler (0: none yet).</summary>
    public uint AcknowledgedThrough => _acknowledged.Through;

    internal void ResetAcknowledged(uint through) => _acknowledged.Reset(through);

    private void OnHanded(uint sequenceNumber) => _acknowledged.OnHanded(sequenceNumber);

    private void TrackAcknowledged(uint sequenceNumber) => _acknowledged.OnDone(sequenceNumber);

    /// <summary>A message the server no longer has counts as done for <see cref="AcknowledgedThrough"/> (nothing to wait for).</summary>
    internal void ForgetForAcknowledged(uint sequenceNumber) => _acknowledged.OnDone(sequenceNumber);
}
