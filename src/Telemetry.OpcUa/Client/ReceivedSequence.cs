namespace Telemetry.OpcUa.Client;

/// <summary>
/// Which NotificationMessages of one subscription arrived (OPC 10000-4 §5.13.1.1): every message with data consumes
/// the next sequence number; a keep-alive carries the next number without consuming it. A jump means messages were
/// lost on the way (a connection cut) and are fetched with Republish; a number seen twice is a duplicate and not
/// delivered again. Numbers roll over to 1 after 4,294,967,295 (<see cref="SequenceNumbers"/>), so a gap across the
/// rollover is the numbers from the last one through 4,294,967,295 and on from 1, and missing numbers are fetched
/// oldest first. Only the publish loop touches this state (not thread-safe).
/// </summary>
internal sealed class ReceivedSequence
{
    /// <summary>Missing numbers tracked per gap at most (a longer gap is mostly beyond what the server still holds).</summary>
    internal const int MaxTrackedGap = 10_000;

    private readonly SortedSet<uint> _missing = new(SequenceNumbers.Oldest);
    private uint _nextExpected;

    public bool HasMissing => _missing.Count > 0;

    /// <summary>The number the next new message should carry (0: none seen yet).</summary>
    public uint NextExpected => _nextExpected;

    public void Reset()
    {
        _nextExpected = 0;
        _missing.Clear();
    }

    /// <summary>After a transfer: these messages are still held by the server and not yet safe here; the next new one follows them.</summary>
    public void ExpectRepublish(IReadOnlyList<uint> sequenceNumbers)
    {
        foreach (var s in sequenceNumbers)
        {
            _missing.Add(s);
            if (_nextExpected == 0 || !SequenceNumbers.IsNewer(_nextExpected, s))
            {
                _nextExpected = SequenceNumbers.Next(s);
            }
        }
    }

    /// <summary>
    /// A message with data arrived: true when it should be delivered (new, or a missing one recovered);
    /// <paramref name="gapFrom"/> is the first number skipped when it opened a gap (0: none).
    /// </summary>
    public bool Accept(uint sequenceNumber, out uint gapFrom)
    {
        gapFrom = 0;
        if (_nextExpected == 0 || sequenceNumber == _nextExpected)
        {
            _nextExpected = SequenceNumbers.Next(sequenceNumber);
            return true;
        }

        if (_missing.Remove(sequenceNumber))
        {
            return true;
        }

        if (SequenceNumbers.IsNewer(sequenceNumber, _nextExpected))
        {
            gapFrom = _nextExpected;
            AddGap(_nextExpected, sequenceNumber);
            _nextExpected = SequenceNumbers.Next(sequenceNumber);
            return true;
        }

        return false;
    }

    /// <summary>A keep-alive names the next sequence number: anything before it that did not arrive is missing. Returns the first number skipped (0: none).</summary>
    public uint OnKeepAlive(uint nextSequenceNumber)
    {
        if (_nextExpected == 0)
        {
            _nextExpected = nextSequenceNumber;
            return 0;
        }

        if (!SequenceNumbers.IsNewer(nextSequenceNumber, _nextExpected))
        {
            return 0;
        }

        var from = _nextExpected;
        AddGap(_nextExpected, nextSequenceNumber);
        _nextExpected = nextSequenceNumber;
        return from;
    }

    /// <summary>A copy of the missing numbers, oldest first.</summary>
    public uint[] GetMissing()
    {
        var result = new uint[_missing.Count];
        _missing.CopyTo(result);
        return result;
    }

    /// <summary>The server no longer has this message: stop asking for it.</summary>
    public void Remove(uint sequenceNumber) => _missing.Remove(sequenceNumber);

    private void AddGap(uint from, uint toExclusive)
    {
        var count = 0;
        for (var s = from; s != toExclusive && count < MaxTrackedGap; s = SequenceNumbers.Next(s), count++)
        {
            _missing.Add(s);
        }
    }
}
