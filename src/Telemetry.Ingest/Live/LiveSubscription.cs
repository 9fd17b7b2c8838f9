using System.Threading.Channels;

namespace Telemetry.Ingest.Live;

/// <summary>
/// One live subscriber: its filter and a queue bounded in batches and in samples. When either bound is reached the
/// oldest batches are dropped and their samples counted (<see cref="TakeDroppedCount"/>), so a slow reader never
/// slows the publisher and never holds more than its share of memory. One reader (the stream); dispose to
/// unsubscribe (returns queued arrays to the pool).
/// </summary>
public sealed class LiveSubscription : IDisposable
{
    private readonly LiveHub _hub;
    private readonly Channel<LiveBatch> _queue;
    private readonly long _maxSamples;
    private long _queuedSamples;
    private long _dropped;
    private long _droppedTotal;
    private int _disposed;

    internal LiveSubscription(LiveHub hub, LiveFilter filter, int queueBatches, int queueSamples)
    {
        _hub = hub;
        Filter = filter;
        _maxSamples = queueSamples;
        _queue = Channel.CreateBounded<LiveBatch>(
            new BoundedChannelOptions(queueBatches)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = false, // the publisher also takes the oldest batch out when the sample bound is hit
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            OnDropped);
    }

    public LiveFilter Filter { get; }

    /// <summary>Samples dropped over the subscription's life.</summary>
    public long DroppedTotal => Interlocked.Read(ref _droppedTotal);

    /// <summary>Samples dropped since the last call (and resets that count): the "dropped N" notice.</summary>
    public long TakeDroppedCount() => Interlocked.Exchange(ref _dropped, 0);

    /// <summary>Waits until a batch is queued; false once the subscription is closed.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        _queue.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Samples queued now.</summary>
    public long QueuedSamples => Interlocked.Read(ref _queuedSamples);

    /// <summary>The oldest queued batch; the caller must <see cref="LiveBatch.Return"/> it.</summary>
    public bool TryRead(out LiveBatch batch)
    {
        if (!_queue.Reader.TryRead(out batch))
        {
            return false;
        }

        Interlocked.Add(ref _queuedSamples, -batch.Count);
        return true;
    }

    /// <summary>
    /// Never blocks: makes room under the sample bound by dropping the oldest batches, and a full queue drops its
    /// oldest batch. False when closed (the caller keeps the array).
    /// </summary>
    internal bool Offer(LiveBatch batch)
    {
        if (batch.Count > _maxSamples)
        {
            batch = KeepNewest(batch);
        }

        while (Interlocked.Read(ref _queuedSamples) + batch.Count > _maxSamples && _queue.Reader.TryRead(out var oldest))
        {
            Interlocked.Add(ref _queuedSamples, -oldest.Count);
            CountDropped(oldest.Count);
            oldest.Return();
        }

        Interlocked.Add(ref _queuedSamples, batch.Count);
        if (_queue.Writer.TryWrite(batch))
        {
            return true;
        }

        Interlocked.Add(ref _queuedSamples, -batch.Count);
        return false;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _hub.Remove(this);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var batch))
        {
            batch.Return();
        }
    }

    private void OnDropped(LiveBatch batch)
    {
        Interlocked.Add(ref _queuedSamples, -batch.Count);
        CountDropped(batch.Count);
        batch.Return();
    }

    private void CountDropped(long samples)
    {
        Interlocked.Add(ref _dropped, samples);
        Interlocked.Add(ref _droppedTotal, samples);
    }

    /// <summary>A batch larger than the whole bound keeps its newest samples (moved to the front of its array).</summary>
    private LiveBatch KeepNewest(LiveBatch batch)
    {
        var array = batch.Array!;
        var keep = (int)_maxSamples;
        var cut = batch.Count - keep;
        array.AsSpan(cut, keep).CopyTo(array);
        array.AsSpan(keep, cut).Clear();
        CountDropped(cut);
        return new LiveBatch(array, keep);
    }
}
