namespace Telemetry.OpcUa.Client;

/// <summary>
/// Which messages of this subscription the handler has acknowledged, as one number: every message up to
/// <see cref="AcknowledgedThrough"/> is safe (acknowledgements out of order, e.g. of a Republished gap, wait in a set
/// until the run below them closes). The base is the first message handed over, so nothing older counts as done.
/// What a resumed client skips instead of republishing (<see cref="UaResumeState"/>).
/// </summary>
public sealed partial class UaSubscription
{
    private const int MaxAcknowledgedAhead = 10_000;
    private readonly Lock _acknowledgedLock = new();
    private readonly SortedSet<uint> _acknowledgedAhead = [];
    private uint _acknowledgedThrough;
    private bool _acknowledgedBase;

    /// <summary>Every message up to this sequence number was acknowledged by the handler (0: none yet).</summary>
    public uint AcknowledgedThrough
    {
        get
        {
            lock (_acknowledgedLock)
            {
                return _acknowledgedThrough;
            }
        }
    }

    internal void ResetAcknowledged(uint through, bool known)
    {
        lock (_acknowledgedLock)
        {
            _acknowledgedThrough = through;
            _acknowledgedBase = known;
            _acknowledgedAhead.Clear();
        }
    }

    /// <summary>A message is handed to the handler (publish loop, in order): the first one fixes the base.</summary>
    private void OnHanded(uint sequenceNumber)
    {
        lock (_acknowledgedLock)
        {
            if (!_acknowledgedBase)
            {
                _acknowledgedBase = true;
                _acknowledgedThrough = sequenceNumber - 1;
            }
        }
    }

    private void TrackAcknowledged(uint sequenceNumber)
    {
        lock (_acknowledgedLock)
        {
            if (sequenceNumber <= _acknowledgedThrough)
            {
                return;
            }

            if (sequenceNumber != _acknowledgedThrough + 1)
            {
                _acknowledgedAhead.Add(sequenceNumber);
                if (_acknowledgedAhead.Count <= MaxAcknowledgedAhead)
                {
                    return;
                }

                // a message never acknowledged (the server could not republish it): do not hold the rest back forever
                sequenceNumber = _acknowledgedAhead.Min;
            }

            _acknowledgedAhead.Remove(sequenceNumber);
            _acknowledgedThrough = sequenceNumber;
            while (_acknowledgedAhead.Remove(_acknowledgedThrough + 1))
            {
                _acknowledgedThrough++;
            }
        }
    }

    /// <summary>A message the server no longer has counts as done for <see cref="AcknowledgedThrough"/> (nothing to wait for).</summary>
    internal void ForgetForAcknowledged(uint sequenceNumber) => TrackAcknowledged(sequenceNumber);
}
