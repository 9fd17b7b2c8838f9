namespace Telemetry.OpcUa.Client;

/// <summary>
/// Sequence-number bookkeeping (OPC 10000-4 §5.13.1.1): every NotificationMessage with data consumes the next
/// number; a keep-alive carries the next number without consuming it. A jump means messages were lost on the way
/// (a connection cut) and are fetched with Republish; a number seen twice is a duplicate and not delivered again.
/// Only the publish loop touches this state.
/// </summary>
public sealed partial class UaSubscription
{
    private const int MaxTrackedGap = 10_000;
    private readonly SortedSet<uint> _missing = [];
    private uint _nextExpected;
    private long _republished;
    private long _lost;
    private uint[] _available = [];

    internal void ResetSequence()
    {
        _nextExpected = 0;
        _missing.Clear();
        ResetAcknowledged(0);
    }

    /// <summary>After a transfer: these messages are still held by the server and not yet safe here; the next new one follows them.</summary>
    internal void ExpectRepublish(IReadOnlyList<uint> sequenceNumbers)
    {
        foreach (var s in sequenceNumbers)
        {
            _missing.Add(s);
            if (_nextExpected == 0 || !IsNewer(_nextExpected, s))
            {
                _nextExpected = Next(s);
            }
        }
    }

    /// <summary>A message with data arrived: true when it should be delivered (new, or a missing one recovered).</summary>
    internal bool AcceptMessage(uint sequenceNumber)
    {
        if (_nextExpected == 0 || sequenceNumber == _nextExpected)
        {
            _nextExpected = Next(sequenceNumber);
            return true;
        }

        if (_missing.Remove(sequenceNumber))
        {
            return true;
        }

        if (IsNewer(sequenceNumber, _nextExpected))
        {
            AddGap(_nextExpected, sequenceNumber);
            _nextExpected = Next(sequenceNumber);
            return true;
        }

        return false;
    }

    /// <summary>A keep-alive names the next sequence number: anything before it that we did not get is missing.</summary>
    internal void OnKeepAlive(uint nextSequenceNumber)
    {
        if (_nextExpected == 0)
        {
            _nextExpected = nextSequenceNumber;
            return;
        }

        if (IsNewer(nextSequenceNumber, _nextExpected))
        {
            AddGap(_nextExpected, nextSequenceNumber);
            _nextExpected = nextSequenceNumber;
        }
    }

    internal bool HasMissing => _missing.Count > 0;

    /// <summary>
    /// The messages the server still keeps for Republish (not yet acknowledged), as its last Publish response for this
    /// subscription listed them (OPC 10000-4 §5.13.5.3 availableSequenceNumbers); empty before the first.
    /// </summary>
    public IReadOnlyList<uint> AvailableSequenceNumbers => Volatile.Read(ref _available);

    internal void OnAvailableSequenceNumbers(uint[]? available) => Volatile.Write(ref _available, available ?? []);

    /// <summary>A copy of the missing numbers; each leaves the set when Republish delivers it (or it is lost).</summary>
    internal uint[] GetMissing()
    {
        var result = new uint[_missing.Count];
        _missing.CopyTo(result);
        return result;
    }

    /// <summary>The server no longer has this message: stop asking for it.</summary>
    internal void GiveUp(uint sequenceNumber)
    {
        _missing.Remove(sequenceNumber);
        ForgetForAcknowledged(sequenceNumber);
    }

    internal void CountRepublished() => Interlocked.Increment(ref _republished);

    internal void CountLost() => Interlocked.Increment(ref _lost);

    internal void LogGap(uint expected, uint received) => Log.SequenceGap(_session.Logger, SubscriptionId, expected, received);

    private void AddGap(uint from, uint toExclusive)
    {
        LogGap(from, toExclusive);
        var count = 0;
        for (var s = from; s != toExclusive && count < MaxTrackedGap; s = Next(s), count++)
        {
            _missing.Add(s);
        }
    }

    private static uint Next(uint sequenceNumber) => sequenceNumber == uint.MaxValue ? 1 : sequenceNumber + 1;

    private static bool IsNewer(uint a, uint b) => unchecked((int)(a - b)) > 0;
}
