using System.Threading.Channels;

namespace Telemetry.Ingest.Live;

/// <summary>
/// One live subscriber: its filter and a bounded queue of batches. When the queue is full the oldest batch is
/// dropped and its samples counted (<see cref="TakeDroppedCount"/>), so a slow reader never slows the publisher.
/// Single reader. Dispose to unsubscribe (returns queued arrays to the pool).
/// </summary>
public sealed class LiveSubscription : IDisposable
{
    private readonly LiveHub _hub;
    private readonly Channel<LiveBatch> _queue;
    private long _dropped;
    private long _droppedTotal;
    private int _disposed;

    internal LiveSubscription(LiveHub hub, LiveFilter filter, int queueBatches)
    {
        _hub = hub;
        Filter = filter;
        _queue = Channel.CreateBounded<LiveBatch>(
            new BoundedChannelOptions(queueBatches)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
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

    /// <summary>The oldest queued batch; the caller must <see cref="LiveBatch.Return"/> it.</summary>
    public bool TryRead(out LiveBatch batch) => _queue.Reader.TryRead(out batch);

    /// <summary>Never blocks: a full queue drops its oldest batch. False when closed (the caller keeps the array).</summary>
    internal bool Offer(LiveBatch batch) => _queue.Writer.TryWrite(batch);

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
        Interlocked.Add(ref _dropped, batch.Count);
        Interlocked.Add(ref _droppedTotal, batch.Count);
        batch.Return();
    }
}
