namespace Telemetry.OpcUa.Client;

/// <summary>
/// Which NotificationMessages of one subscription were acknowledged, as one number: every message up to
/// <see cref="Through"/> is safe. Acknowledgements out of order (a Republished gap acknowledged after later messages)
/// wait in a set until the run below them closes. The base is the first message handed over, so nothing older counts
/// as done. Sequence numbers roll over to 1 after 4,294,967,295 (<see cref="SequenceNumbers"/>): every comparison here is
/// serial-number arithmetic, so a run of acknowledgements across the rollover closes like any other.
/// Thread-safe (the publish loop hands over, the handler acknowledges from its own thread).
/// </summary>
internal sealed class AcknowledgedSequence
{
    /// <summary>Acknowledgements ahead of a hole kept at most; beyond, the hole is given up (it would hold the rest back forever).</summary>
    internal const int MaxAhead = 10_000;

    private readonly Lock _gate = new();
    private readonly SortedSet<uint> _ahead = new(SequenceNumbers.Oldest);
    private uint _through;
    private bool _hasBase;

    public uint Through
    {
        get
        {
            lock (_gate)
            {
                return _through;
            }
        }
    }

    /// <summary>Starts again: from a saved number (a resumed subscription), or unknown until the first message is handed over.</summary>
    public void Reset(uint through)
    {
        lock (_gate)
        {
            _through = through;
            _hasBase = through != 0;
            _ahead.Clear();
        }
    }

    /// <summary>A message is handed to the handler (in order): the first one fixes the base.</summary>
    public void OnHanded(uint sequenceNumber)
    {
        lock (_gate)
        {
            if (!_hasBase)
            {
                _hasBase = true;
                _through = sequenceNumber - 1; // 1 → 0: "none yet", which Next() also leads to 1
            }
        }
    }

    /// <summary>The message is safe (acknowledged, or no longer available at the server: nothing to wait for).</summary>
    public void OnDone(uint sequenceNumber)
    {
        lock (_gate)
        {
            if (!_hasBase)
            {
                _hasBase = true;
                _through = sequenceNumber - 1; // 1 → 0: "none yet", which Next() also leads to 1
            }

            if (!SequenceNumbers.IsNewer(sequenceNumber, _through))
            {
                return;
            }

            if (sequenceNumber != SequenceNumbers.Next(_through))
            {
                _ahead.Add(sequenceNumber);
                if (_ahead.Count <= MaxAhead)
                {
                    return;
                }

                sequenceNumber = _ahead.Min;
            }

            _ahead.Remove(sequenceNumber);
            _through = sequenceNumber;
            while (_ahead.Remove(SequenceNumbers.Next(_through)))
            {
                _through = SequenceNumbers.Next(_through);
            }
        }
    }
}
