namespace Telemetry.Dashboard.Availability;

/// <summary>
/// A machine's figures over one window (the machine page shows today: local midnight to now). Times in Unix ns.
/// </summary>
/// <param name="ObservedFromNs">Where the known states start inside the window (later than the window's start when
/// the first state change seen came later: time before it is unknown and counts nowhere).</param>
/// <param name="Availability">Running / planned, 0..1; null without planned time.</param>
/// <param name="MtbfNs">Running time / faults; null without a fault.</param>
/// <param name="MttrNs">Fault time / faults; null without a fault.</param>
public sealed record AvailabilityFigures(
    long WindowStartNs,
    long WindowEndNs,
    long ObservedFromNs,
    long PlannedNs,
    long RunningNs,
    long FaultNs,
    int Faults,
    double? Availability,
    long? MtbfNs,
    long? MttrNs);

/// <summary>
/// Availability, MTBF and MTTR from a machine's state changes (pure: no clock, no I/O). Definitions:
/// <list type="bullet">
/// <item><b>planned time</b> = time in the window in any known state except <c>off</c> (a machine switched off is not
/// planned to produce; idle, setup and fault are planned time lost). Time before the first known change is unknown
/// and not counted; the last state lasts until the window's end.</item>
/// <item><b>availability</b> = running time / planned time.</item>
/// <item><b>faults</b> = fault intervals overlapping the window (one that began before the window counts once).</item>
/// <item><b>MTBF</b> (mean time between failures) = running time / number of faults.</item>
/// <item><b>MTTR</b> (mean time to repair) = fault time / number of faults.</item>
/// </list>
/// </summary>
public static class AvailabilityCalculator
{
    public const string Running = "running";
    public const string Fault = "fault";
    public const string NotPlanned = "off";

    /// <param name="changes">State changes in time order (as <see cref="StateTimeline"/> keeps them).</param>
    public static AvailabilityFigures Compute(IReadOnlyList<StateChange> changes, long windowStartNs, long windowEndNs)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (windowEndNs < windowStartNs)
        {
            throw new ArgumentOutOfRangeException(nameof(windowEndNs), $"the window ends ({windowEndNs}) before it starts ({windowStartNs}).");
        }

        long planned = 0, running = 0, fault = 0;
        var faults = 0;
        var observedFrom = windowEndNs;
        for (var i = 0; i < changes.Count; i++)
        {
            var from = Math.Max(changes[i].FromNs, windowStartNs);
            var to = Math.Min(i + 1 < changes.Count ? changes[i + 1].FromNs : windowEndNs, windowEndNs);
            if (to <= from)
            {
                continue;
            }

            observedFrom = Math.Min(observedFrom, from);
            var length = to - from;
            var state = changes[i].State;
            if (string.Equals(state, NotPlanned, StringComparison.Ordinal))
            {
                continue;
            }

            planned += length;
            if (string.Equals(state, Running, StringComparison.Ordinal))
            {
                running += length;
            }
            else if (string.Equals(state, Fault, StringComparison.Ordinal))
            {
                fault += length;
                faults++;
            }
        }

        return new AvailabilityFigures(
            windowStartNs,
            windowEndNs,
            observedFrom,
            planned,
            running,
            fault,
            faults,
            planned > 0 ? (double)running / planned : null,
            faults > 0 ? running / faults : null,
            faults > 0 ? fault / faults : null);
    }

    /// <summary>Local midnight of the day <paramref name="now"/> falls in, in <paramref name="zone"/>, as Unix ns.</summary>
    public static long StartOfDayNs(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date;
        var offset = zone.IsInvalidTime(midnight) ? local.Offset : zone.GetUtcOffset(midnight);
        return (new DateTimeOffset(midnight, offset).ToUnixTimeMilliseconds()) * 1_000_000;
    }
}
