using Telemetry.Core;
using Telemetry.Edge.Live;
using Telemetry.Edge.Pipeline;

namespace Telemetry.Edge.Tests;

public class LiveFeedTests
{
    private static readonly AssetPath Path = new("s", "a", "l", "m1", "speed");

    [Fact]
    public void Publish_SlowSubscriber_KeepsNewestAndCountsDropped()
    {
        var feed = new LiveFeed();
        using var subscription = feed.Subscribe(capacity: 10);
        var samples = Enumerable.Range(0, 25).Select(i => new Sample(Path, i, SampleValue.FromInt64(i), Quality.Good, i)).ToArray();

        feed.Publish(samples);

        Assert.Equal(15, subscription.TakeDroppedCount());
        Assert.Equal(0, subscription.TakeDroppedCount());
        var received = new List<long>();
        while (subscription.Reader.TryRead(out var s))
        {
            received.Add(s.Value.AsInt64());
        }

        Assert.Equal(Enumerable.Range(15, 10).Select(i => (long)i), received);
    }

    [Fact]
    public void Dispose_Subscription_RemovedFromFeed()
    {
        var feed = new LiveFeed();
        var subscription = feed.Subscribe();
        Assert.Equal(1, feed.SubscriberCount);
        subscription.Dispose();
        Assert.Equal(0, feed.SubscriberCount);
        feed.Publish([new Sample(Path, 1, SampleValue.FromInt64(1), Quality.Good, 1)]);
    }

    [Fact]
    public async Task WriteAsync_DurableSinkFails_NothingReachesTheLiveView()
    {
        var view = new LiveView();
        var pipeline = new EdgePipeline(new FailingSink(), view, new LiveFeed());
        using var batch = new SampleBatch();
        batch.Add(new Sample(Path, 1, SampleValue.FromInt64(1), Quality.Good, 1));

        await Assert.ThrowsAsync<IOException>(async () => await pipeline.WriteAsync(batch));
        Assert.Empty(view.Snapshot());
        Assert.Equal(0, pipeline.SamplesWritten);
    }

    private sealed class FailingSink : ISampleSink
    {
        public ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("disk gone"));
    }
}
