using Telemetry.Core;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Live;
using static Telemetry.Ingest.Tests.Live.LiveSamples;

namespace Telemetry.Ingest.Tests.Live;

public sealed class LiveHubTests
{
    private static readonly AssetPath CncTemp = Path("plant-a", "cnc-1", "temperature");
    private static readonly AssetPath CncSpeed = Path("plant-a", "cnc-1", "spindle_speed");
    private static readonly AssetPath PressTemp = Path("plant-a", "press-1", "temperature");
    private static readonly AssetPath OtherSite = Path("plant-b", "cnc-1", "temperature");

    [Fact]
    public void Publish_SubscriberOfSiteA_GetsNothingOfSiteB()
    {
        var hub = new LiveHub(new LiveOptions());
        Assert.True(hub.TrySubscribe(new LiveFilter(GlobPattern.Exactly("plant-a"), GlobPattern.All, GlobPattern.All), out var a));
        using var _ = a;

        hub.Publish("plant-b", [Number(OtherSite, 1)]);
        hub.Publish("plant-a", [Number(CncTemp, 2)]);

        Assert.Equal([2.0], Drain(a).Select(s => s.Value.AsDouble()));
    }

    [Fact]
    public void Publish_SampleNamingAnotherSiteThanTheBatch_IsNotDelivered()
    {
        var hub = new LiveHub(new LiveOptions());
        Assert.True(hub.TrySubscribe(LiveFilter.All, out var all));
        using var _ = all;

        hub.Publish("plant-a", [Number(OtherSite, 1), Number(CncTemp, 2)]);

        var got = Drain(all);
        Assert.Single(got);
        Assert.Equal("plant-a", got[0].Path.Site);
    }

    [Fact]
    public void Publish_MachineAndTagPatterns_DeliversOnlyMatches()
    {
        var hub = new LiveHub(new LiveOptions());
        Assert.True(hub.TrySubscribe(new LiveFilter(GlobPattern.All, GlobPattern.Parse("cnc-*"), GlobPattern.Parse("temp*,spindle_?peed")), out var cnc));
        Assert.True(hub.TrySubscribe(new LiveFilter(GlobPattern.All, GlobPattern.Parse("press-1"), GlobPattern.All), out var press));
        using var _ = cnc;
        using var __ = press;

        hub.Publish("plant-a", [Number(CncTemp, 1), Number(CncSpeed, 2), Number(PressTemp, 3), Number(Path("plant-a", "cnc-1", "state"), 4)]);

        Assert.Equal([1.0, 2.0], Drain(cnc).Select(s => s.Value.AsDouble()));
        Assert.Equal([3.0], Drain(press).Select(s => s.Value.AsDouble()));
    }

    [Fact]
    public void Publish_SlowSubscriber_KeepsNewestBatchesAndCountsDroppedSamples()
    {
        var hub = new LiveHub(new LiveOptions { QueueBatches = 2 });
        Assert.True(hub.TrySubscribe(LiveFilter.All, out var slow));
        using var _ = slow;

        for (var i = 0; i < 5; i++)
        {
            hub.Publish("plant-a", [Number(CncTemp, i), Number(CncSpeed, i)]);
        }

        Assert.Equal(6, slow.TakeDroppedCount());
        Assert.Equal(0, slow.TakeDroppedCount());
        Assert.Equal(6, slow.DroppedTotal);
        Assert.Equal([3.0, 3.0, 4.0, 4.0], Drain(slow).Select(s => s.Value.AsDouble()));
    }

    [Fact]
    public void Publish_SlowSubscriberAtSampleBound_DropsOldestBatchesToStayWithinIt()
    {
        var hub = new LiveHub(new LiveOptions { QueueBatches = 100, QueueSamples = 5 });
        Assert.True(hub.TrySubscribe(LiveFilter.All, out var slow));
        using var _ = slow;

        for (var i = 0; i < 4; i++)
        {
            hub.Publish("plant-a", [Number(CncTemp, i), Number(CncSpeed, i)]);
            Assert.InRange(slow.QueuedSamples, 1, 5);
        }

        Assert.Equal(4, slow.TakeDroppedCount());
        Assert.Equal([2.0, 2.0, 3.0, 3.0], Drain(slow).Select(s => s.Value.AsDouble()));
        Assert.Equal(0, slow.QueuedSamples);
    }

    [Fact]
    public void Publish_BatchLargerThanSampleBound_KeepsItsNewestSamples()
    {
        var hub = new LiveHub(new LiveOptions { QueueSamples = 3 });
        Assert.True(hub.TrySubscribe(LiveFilter.All, out var subscriber));
        using var _ = subscriber;

        hub.Publish("plant-a", Batch(CncTemp, 10));

        Assert.Equal(7, subscriber.TakeDroppedCount());
        Assert.Equal([7.0, 8.0, 9.0], Drain(subscriber).Select(s => s.Value.AsDouble()));
    }

    [Fact]
    public void TrySubscribe_AtMaxSubscribers_RefusesUntilOneLeaves()
    {
        var hub = new LiveHub(new LiveOptions { MaxSubscribers = 2 });
        Assert.True(hub.TrySubscribe(LiveFilter.All, out var first));
        Assert.True(hub.TrySubscribe(LiveFilter.All, out var second));

        Assert.False(hub.TrySubscribe(LiveFilter.All, out var refused));
        Assert.Null(refused);

        first.Dispose();
        Assert.Equal(1, hub.SubscriberCount);
        Assert.True(hub.TrySubscribe(LiveFilter.All, out var third));
        second.Dispose();
        third.Dispose();
        Assert.Equal(0, hub.SubscriberCount);
    }

    [Fact]
    public void Publish_AfterSubscriberDisposed_DoesNotThrowOrDeliver()
    {
        var hub = new LiveHub(new LiveOptions());
        Assert.True(hub.TrySubscribe(LiveFilter.All, out var gone));
        gone.Dispose();
        gone.Dispose();

        hub.Publish("plant-a", [Number(CncTemp, 1)]);

        Assert.False(gone.TryRead(out _));
    }

    [Fact]
    public void Publish_NoSubscribers_AllocatesNothing()
    {
        var hub = new LiveHub(new LiveOptions());
        var batch = Batch(CncTemp, 1000);
        hub.Publish("plant-a", batch);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            hub.Publish("plant-a", batch);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Publish_SubscriberOfAnotherSite_AllocatesNothing()
    {
        var hub = new LiveHub(new LiveOptions());
        Assert.True(hub.TrySubscribe(new LiveFilter(GlobPattern.Exactly("plant-b"), GlobPattern.All, GlobPattern.All), out var other));
        using var _ = other;
        var batch = Batch(CncTemp, 1000);
        hub.Publish("plant-a", batch);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            hub.Publish("plant-a", batch);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Publish_MatchingSubscriberReadingAlong_SteadyStateAllocatesNothing()
    {
        var hub = new LiveHub(new LiveOptions());
        Assert.True(hub.TrySubscribe(new LiveFilter(GlobPattern.All, GlobPattern.Parse("cnc-*"), GlobPattern.All), out var reader));
        using var _ = reader;
        var batch = Batch(CncTemp, 1000);
        for (var i = 0; i < 10; i++)
        {
            hub.Publish("plant-a", batch);
            Drain(reader, keep: false);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            hub.Publish("plant-a", batch);
            Drain(reader, keep: false);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static List<Sample> Drain(LiveSubscription subscription, bool keep = true)
    {
        var list = keep ? new List<Sample>() : null;
        while (subscription.TryRead(out var batch))
        {
            if (list is not null)
            {
                foreach (var s in batch.Samples)
                {
                    list.Add(s);
                }
            }

            batch.Return();
        }

        return list!;
    }
}
