using System.Buffers;

namespace Telemetry.Core;

/// <summary>
/// The unit that flows from sources to the spool: a growable run of samples over a pooled array. A batch is
/// owned by whoever created it; a sink reads it during its call and keeps no reference afterwards, so the
/// owner can <see cref="Clear"/> and reuse it (no allocation per batch in steady state).
/// </summary>
public sealed class SampleBatch : IDisposable
{
    private Sample[] _items;

    public SampleBatch(int capacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _items = ArrayPool<Sample>.Shared.Rent(capacity);
    }

    public int Count { get; private set; }

    public ReadOnlySpan<Sample> Samples => _items.AsSpan(0, Count);

    public ref readonly Sample this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return ref _items[index];
        }
    }

    public void Add(in Sample sample)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[Count++] = sample;
    }

    public void AddRange(ReadOnlySpan<Sample> samples)
    {
        while (Count + samples.Length > _items.Length)
        {
            Grow();
        }

        samples.CopyTo(_items.AsSpan(Count));
        Count += samples.Length;
    }

    public void Clear()
    {
        // Drop references to paths and strings so pooled arrays do not keep them alive.
        Array.Clear(_items, 0, Count);
        Count = 0;
    }

    public void Dispose()
    {
        var items = _items;
        _items = [];
        Count = 0;
        if (items.Length > 0)
        {
            ArrayPool<Sample>.Shared.Return(items, clearArray: true);
        }
    }

    private void Grow()
    {
        var bigger = ArrayPool<Sample>.Shared.Rent(Math.Max(16, _items.Length * 2));
        _items.AsSpan(0, Count).CopyTo(bigger);
        ArrayPool<Sample>.Shared.Return(_items, clearArray: true);
        _items = bigger;
    }
}
