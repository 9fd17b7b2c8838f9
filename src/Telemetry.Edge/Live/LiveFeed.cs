using System.Threading.Channels;
using Telemetry.Core;

namespace Telemetry.Edge.Live;

/// <summary>
/// Fans samples out to live subscribers (the page's server-sent events). Each subscriber has a bounded queue: a
/// slow one loses its oldest updates and is told how many, and never slows the pipeline.
/// </summary>
public sealed class LiveFeed
{
    private readonly Lock _lock = new();
    private LiveSubscription[] _subscribers = [];

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    public LiveSubscription Subscribe(int capacity = 4096)
    {
        var subscription = new LiveSubscription(this, capacity);
        lock (_lock)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    public void Publish(ReadOnlySpan<Sample> samples)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        if (subscribers.Length == 0 || samples.IsEmpty)
        {
            return;
        }

        foreach (ref readonly var sample in samples)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(sample);
            }
        }
    }

    internal void Remove(LiveSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
        }
    }
}

/// <summary>One subscriber's bounded queue of samples.</summary>
public sealed class LiveSubscription : IDisposable
{
    private readonly LiveFeed _feed;
    private readonly Channel<Sample> _channel;
    private long _dropped;

    internal LiveSubscription(LiveFeed feed, int capacity)
    {
        _feed = feed;
        _channel = Channel.CreateBounded<Sample>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
            },
            _ => Interlocked.Increment(ref _dropped));
    }

    public ChannelReader<Sample> Reader => _channel.Reader;

    /// <summary>Samples dropped for this subscriber since the last call (and resets the count).</summary>
    public long TakeDroppedCount() => Interlocked.Exchange(ref _dropped, 0);

    internal void Offer(in Sample sample) => _channel.Writer.TryWrite(sample);

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _feed.Remove(this);
    }
}
