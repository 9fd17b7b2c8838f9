namespace Telemetry.OpcUa.Client;

/// <summary>
/// Arithmetic on NotificationMessage sequence numbers (OPC 10000-4 §7.26, §5.13.1.1): a Counter that rolls over to 1
/// after 4,294,967,295; 0 is never used (here it means "none yet"). A number is not reused until over four billion
/// messages later, so two live numbers are always far less than 2^31 apart and "newer" is serial-number arithmetic:
/// <c>a</c> is newer than <c>b</c> when <c>a - b</c>, taken as a signed 32-bit distance, is positive. Plain numeric
/// order (<c>&lt;=</c>, <see cref="List{T}.Sort()"/>) is wrong across the rollover: 1 follows 4,294,967,295.
/// </summary>
internal static class SequenceNumbers
{
    /// <summary>The number after <paramref name="sequenceNumber"/> (4,294,967,295 → 1).</summary>
    public static uint Next(uint sequenceNumber) => sequenceNumber == uint.MaxValue ? 1 : sequenceNumber + 1;

    /// <summary>True when <paramref name="a"/> comes after <paramref name="b"/>.</summary>
    public static bool IsNewer(uint a, uint b) => unchecked((int)(a - b)) > 0;

    /// <summary>
    /// True when message <paramref name="sequenceNumber"/> is covered by "acknowledged through <paramref name="through"/>"
    /// (it is <paramref name="through"/> or older); never when nothing was acknowledged (<paramref name="through"/> 0).
    /// </summary>
    public static bool IsThrough(uint sequenceNumber, uint through) => through != 0 && !IsNewer(sequenceNumber, through);

    /// <summary>Orders numbers oldest first across the rollover (for sets of live numbers, all within 2^31 of each other).</summary>
    public static IComparer<uint> Oldest { get; } = Comparer<uint>.Create(static (a, b) => a == b ? 0 : IsNewer(a, b) ? 1 : -1);

    /// <summary>
    /// Splits the messages a server still holds (a TransferResult's availableSequenceNumbers, §5.13.6) into those a
    /// resumed subscription had acknowledged through <paramref name="through"/> (safe: acknowledge them so the server
    /// frees them) and those to fetch with Republish, oldest first.
    /// </summary>
    public static (List<uint> Acknowledge, List<uint> Fetch) SplitHeld(IReadOnlyList<uint> held, uint through)
    {
        var acknowledge = new List<uint>();
        var fetch = new List<uint>(held.Count);
        foreach (var sequenceNumber in held)
        {
            (IsThrough(sequenceNumber, through) ? acknowledge : fetch).Add(sequenceNumber);
        }

        fetch.Sort(Oldest);
        return (acknowledge, fetch);
    }
}
