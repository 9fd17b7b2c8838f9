namespace Telemetry.OpcUa.Client;

/// <summary>
/// Sequence-number bookkeeping (OPC 10000-4 §5.13.1.1, <see cref="ReceivedSequence"/>): gaps are fetched with
/// Republish, duplicates not delivered again, numbers compared across the rollover to 1. Only the publish loop
/// touches this state.
/// </summary>
public sealed partial class UaSubscription
{
    private readonly ReceivedSequence _received = new();
    private long _republished;
    private long _lost;
    private uint[] _available = [];

    internal void ResetSequence()
    {
        _received.Reset();
        ResetAcknowledged(0);
    }

    /// <summary>After a transfer: these messages are still held by the server and not yet safe here; the next new one follows them.</summary>
    internal void ExpectRepublish(IReadOnlyList<uint> sequenceNumbers) => _received.ExpectRepublish(sequenceNumbers);

    /// <summary>A message with data arrived: true when it should be delivered (new, or a missing one recovered).</summary>
    internal bool AcceptMessage(uint sequenceNumber)
    {
        var deliver = _received.Accept(sequenceNumber, out var gapFrom);
        if (gapFrom != 0)
        {
            LogGap(gapFrom, sequenceNumber);
        }

        return deliver;
    }

    /// <summary>A keep-alive names the next sequence number: anything before it that we did not get is missing.</summary>
    internal void OnKeepAlive(uint nextSequenceNumber)
    {
        if (_received.OnKeepAlive(nextSequenceNumber) is var gapFrom and not 0)
        {
            LogGap(gapFrom, nextSequenceNumber);
        }
    }

    internal bool HasMissing => _received.HasMissing;

    /// <summary>
    /// The messages the server still keeps for Republish (not yet acknowledged), as its last Publish response for this
    /// subscription listed them (OPC 10000-4 §5.13.5.3 availableSequenceNumbers); empty before the first.
    /// </summary>
    public IReadOnlyList<uint> AvailableSequenceNumbers => Volatile.Read(ref _available);

    internal void OnAvailableSequenceNumbers(uint[]? available) => Volatile.Write(ref _available, available ?? []);

    /// <summary>A copy of the missing numbers, oldest first (across the rollover too); each leaves the set when Republish delivers it (or it is lost).</summary>
    internal uint[] GetMissing() => _received.GetMissing();

    /// <summary>The server no longer has this message: stop asking for it.</summary>
    internal void GiveUp(uint sequenceNumber)
    {
        _received.Remove(sequenceNumber);
        ForgetForAcknowledged(sequenceNumber);
    }

    internal void CountRepublished() => Interlocked.Increment(ref _republished);

    internal void CountLost() => Interlocked.Increment(ref _lost);

    internal void LogGap(uint expected, uint received) => Log.SequenceGap(_session.Logger, SubscriptionId, expected, received);
}
