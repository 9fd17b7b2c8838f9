using System.Globalization;
using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Check;

/// <summary>
/// Whether a run's loss is what the edge's spool budget dropped, and nothing else. The edge reports every dropped
/// segment (its sequences, its undelivered records and samples, their source-time span), so the loss must be (1) no
/// more than the samples it reported, (2) only inside those spans, and (3) the ingest's loss ledger may miss only
/// records of the dropped segments. The reported samples may exceed the loss by what the requests in flight when the
/// link went down had already carried to the store: written there, but their 2xx never came, so the edge could not
/// know (at-least-once).
/// </summary>
public sealed record DropAccount(long Dropped, long Lost, long LostOutsideDrops, long ListedSamples, long DroppedRecords, long LedgerMissingRecords, long LedgerMissingOutsideDrops)
{
    /// <summary>Dropped samples the store holds anyway: carried before the drop by requests whose answer was lost.</summary>
    public long DroppedButStored => Math.Max(0, Dropped - Lost);

    /// <summary>The edge lists every drop it counted (it keeps its last 16): otherwise the spans are incomplete.</summary>
    public bool Complete => ListedSamples == Dropped;

    public bool Exact => Complete && Lost <= Dropped && LostOutsideDrops == 0 && LedgerMissingOutsideDrops == 0;

    /// <param name="checker">The store's contents of the window.</param>
    /// <param name="result">The check of the window (its loss excuses only <paramref name="notObservable"/>).</param>
    /// <param name="drops">The edge's dropped segments.</param>
    /// <param name="ledgerMissing">Spool sequence ranges the ingest reports missing.</param>
    public static DropAccount Of(IdentityChecker checker, CheckResult result, long dropped, IReadOnlyList<TickWindow> notObservable,
        IReadOnlyList<SpoolDrop> drops, IReadOnlyList<(long First, long Last)> ledgerMissing, Func<long, long> tickAt)
    {
        ArgumentNullException.ThrowIfNull(checker);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(notObservable);
        ArgumentNullException.ThrowIfNull(drops);
        ArgumentNullException.ThrowIfNull(ledgerMissing);
        ArgumentNullException.ThrowIfNull(tickAt);
        var dropWindows = drops.Select(d => new TickWindow(tickAt(d.FirstSourceMs), tickAt(d.LastSourceMs), "dropped by the spool budget"));
        var outside = checker.Result([.. notObservable, .. dropWindows]).Lost;
        long missing = 0, missingOutside = 0;
        foreach (var (first, last) in ledgerMissing)
        {
            for (var sequence = first; sequence <= last; sequence++)
            {
                missing++;
                if (!drops.Any(d => sequence >= d.FirstSequence && sequence <= d.LastSequence))
                {
                    missingOutside++;
                }
            }
        }

        return new DropAccount(dropped, result.Lost, outside, drops.Sum(d => d.Samples), drops.Sum(d => d.DroppedRecords), missing, missingOutside);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"the edge dropped {Dropped:N0} undelivered samples ({DroppedRecords:N0} records{(Complete ? string.Empty : $"; its list of drops holds only {ListedSamples:N0}")}); lost {Lost:N0}, {LostOutsideDrops:N0} of them outside the dropped segments' source times; {DroppedButStored:N0} dropped samples are in the store (carried by requests in flight at the cut, their 2xx lost); the ingest's ledger misses {LedgerMissingRecords:N0} records, {LedgerMissingOutsideDrops:N0} outside the dropped segments");
}
