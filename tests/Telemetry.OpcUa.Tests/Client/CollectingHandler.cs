using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Tests.Client;

/// <summary>Records every value per item (as UInt32 counter steps) for gap and duplicate checks.</summary>
internal sealed class CollectingHandler : IDataChangeHandler
{
    private readonly Dictionary<uint, List<long>> _values = [];
    private readonly List<StatusCode> _statuses = [];
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void OnDataChange(MonitoredItem item, in DataValue value)
    {
        lock (_values)
        {
            if (!_values.TryGetValue(item.ClientHandle, out var list))
            {
                _values[item.ClientHandle] = list = [];
            }

            list.Add(value.Value.AsInt64());
        }

        Interlocked.Increment(ref _total);
    }

    public void OnSubscriptionStatus(UaSubscription subscription, StatusCode status)
    {
        lock (_statuses)
        {
            _statuses.Add(status);
        }
    }

    public List<long> ValuesOf(MonitoredItem item)
    {
        lock (_values)
        {
            return _values.TryGetValue(item.ClientHandle, out var list) ? [.. list] : [];
        }
    }

    public int ItemsWithValues
    {
        get
        {
            lock (_values)
            {
                return _values.Count;
            }
        }
    }

    /// <summary>Steps missing between consecutive values, and values seen more than once.</summary>
    public static (int Gaps, int Duplicates) Check(List<long> values)
    {
        var gaps = 0;
        var duplicates = 0;
        var seen = new HashSet<long>();
        var sorted = new List<long>(values);
        sorted.Sort();
        foreach (var v in values)
        {
            if (!seen.Add(v))
            {
                duplicates++;
            }
        }

        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i] > sorted[i - 1] + 1)
            {
                gaps += (int)(sorted[i] - sorted[i - 1] - 1);
            }
        }

        return (gaps, duplicates);
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
