using System.Globalization;
using System.Text;

namespace Telemetry.Harness.Check;

/// <summary>A span of ticks in which missing samples were never produced or never observable (a source or the edge down).</summary>
public readonly record struct TickWindow(long FromTick, long ToTick, string Why);

/// <summary>What the store holds of the expected samples, counted exactly.</summary>
public sealed record CheckResult(
    long Expected,
    long Stored,
    long Lost,
    long Duplicated,
    long NotObserved,
    long Foreign,
    string LostExamples)
{
    public override string ToString() =>
        $"expected {Expected:N0}, stored {Stored:N0}, lost {Lost:N0}, duplicated {Duplicated:N0}, not observed (source/edge down) {NotObserved:N0}, off-grid {Foreign:N0}{(Lost > 0 ? $"; lost e.g. {LostExamples}" : string.Empty)}";
}

/// <summary>
/// The load's identity: series (machine, tag) = item, value = tick, timestamp = the tick's grid time. Every item
/// must hold every tick of the window exactly once; a tick missing inside a <see cref="TickWindow"/> is "not observed"
/// (OPC UA keeps no history for a client that was away), anywhere else it is lost. A point whose time is not its
/// tick's grid time is counted as off-grid (a broken identity).
/// </summary>
public sealed class IdentityChecker
{
    private readonly Dictionary<(string Machine, string Tag), int> _items;
    private readonly byte[][] _seen;
    private readonly long _fromTick;
    private readonly long _toTick;
    private readonly Func<long, long> _tickTimeMs;
    private long _stored;
    private long _foreign;

    public IdentityChecker(IReadOnlyList<(string Machine, string Tag)> series, long fromTick, long toTick, Func<long, long> tickTimeMs)
    {
        ArgumentNullException.ThrowIfNull(series);
        _items = new Dictionary<(string, string), int>(series.Count);
        for (var i = 0; i < series.Count; i++)
        {
            _items[series[i]] = i;
        }

        _fromTick = fromTick;
        _toTick = toTick;
        _tickTimeMs = tickTimeMs;
        _seen = new byte[series.Count][];
        for (var i = 0; i < _seen.Length; i++)
        {
            _seen[i] = new byte[toTick - fromTick + 1];
        }
    }

    public void Add(StoredPoint point)
    {
        if (!_items.TryGetValue((point.Machine, point.Tag), out var item))
        {
            return;
        }

        var tick = (long)point.Value;
        if (tick < _fromTick || tick > _toTick)
        {
            return;
        }

        if (_tickTimeMs(tick) != point.TimeMs)
        {
            _foreign++;
            return;
        }

        _stored++;
        ref var count = ref _seen[item][tick - _fromTick];
        if (count < byte.MaxValue)
        {
            count++;
        }
    }

    public CheckResult Result(IReadOnlyList<TickWindow> notObservable)
    {
        ArgumentNullException.ThrowIfNull(notObservable);
        long lost = 0, dup = 0, notObserved = 0;
        var examples = new StringBuilder();
        var names = new string[_items.Count];
        foreach (var (key, index) in _items)
        {
            names[index] = $"{key.Machine}/{key.Tag}";
        }

        for (var i = 0; i < _seen.Length; i++)
        {
            var row = _seen[i];
            for (var t = 0; t < row.Length; t++)
            {
                if (row[t] > 1)
                {
                    dup += row[t] - 1;
                }
                else if (row[t] == 0)
                {
                    var tick = _fromTick + t;
                    if (Inside(notObservable, tick))
                    {
                        notObserved++;
                    }
                    else
                    {
                        lost++;
                        if (lost <= 5)
                        {
                            examples.Append(CultureInfo.InvariantCulture, $"{names[i]}@{tick} ");
                        }
                    }
                }
            }
        }

        return new CheckResult((long)_seen.Length * (_toTick - _fromTick + 1), _stored, lost, dup, notObserved, _foreign, examples.ToString().Trim());
    }

    /// <summary>
    /// Where the missing samples are: runs of consecutive ticks in which the same number of items is missing, e.g.
    /// "ticks 100..180 (8.1 s) 200 of 200 items" (a whole-load gap: the source or the edge stalled) vs scattered items.
    /// </summary>
    public string MissingRuns(int maxRuns = 20)
    {
        var text = new StringBuilder();
        var runs = 0;
        long runStart = -1;
        var runMissing = 0;
        for (var t = 0L; t <= _toTick - _fromTick + 1; t++)
        {
            var missing = 0;
            if (t <= _toTick - _fromTick)
            {
                foreach (var row in _seen)
                {
                    if (row[t] == 0)
                    {
                        missing++;
                    }
                }
            }

            if (runStart >= 0 && missing != runMissing)
            {
                if (runMissing > 0 && ++runs <= maxRuns)
                {
                    text.Append(CultureInfo.InvariantCulture, $"ticks {_fromTick + runStart}..{_fromTick + t - 1} ({DateTimeOffset.FromUnixTimeMilliseconds(_tickTimeMs(_fromTick + runStart)):HH:mm:ss.f}-{DateTimeOffset.FromUnixTimeMilliseconds(_tickTimeMs(_fromTick + t - 1)):HH:mm:ss.f}, {t - runStart} ticks) {runMissing} of {_seen.Length} items; ");
                }

                runStart = -1;
            }

            if (runStart < 0)
            {
                runStart = t;
                runMissing = missing;
            }
        }

        return runs == 0 ? "none" : runs > maxRuns ? $"{text}… {runs} runs in all" : text.ToString().TrimEnd(' ', ';');
    }

    private static bool Inside(IReadOnlyList<TickWindow> windows, long tick)
    {
        foreach (var w in windows)
        {
            if (tick >= w.FromTick && tick <= w.ToTick)
            {
                return true;
            }
        }

        return false;
    }
}
