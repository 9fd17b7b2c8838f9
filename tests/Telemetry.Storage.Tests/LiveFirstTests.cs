using Telemetry.Core;
using Telemetry.Testing;

namespace Telemetry.Storage.Tests;

/// <summary>
/// Live first after an outage (issue 7): a live reader at the durable head and the main reader bounded below it,
/// acknowledged out of order; restarts deliver again only above the persisted cursor and lose nothing unacknowledged.
/// </summary>
public class LiveFirstTests
{
    [Fact]
    public async Task OpenLiveReader_BacklogAndFreshInterleaved_EachRecordOnceFromOneReader()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path) with { SegmentBytes = 8192 });
        await WriteNumbersAsync(spool, 0, 100); // the backlog: records 0..99, one sample each
        using var backlog = spool.OpenReader();
        using var live = spool.OpenLiveReader();
        Assert.Equal(100, live.NextSequence);
        backlog.StopBefore(live.NextSequence);

        var fromLive = new List<long>();
        var fromBacklog = new List<long>();
        for (var round = 0; round < 20; round++)
        {
            await WriteNumbersAsync(spool, 100 + (round * 5), 5); // fresh samples keep arriving
            fromLive.AddRange(ReadAndAcknowledge(spool, live, maxSamples: 100));
            fromBacklog.AddRange(ReadAndAcknowledge(spool, backlog, maxSamples: 5)); // rate-capped backlog
        }

        fromBacklog.AddRange(ReadAndAcknowledge(spool, backlog, maxSamples: 1000));

        Assert.Equal(Enumerable.Range(100, 100).Select(i => (long)i), fromLive);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), fromBacklog);
        Assert.True(backlog.IsFinished);
        using var none = new SampleBatch();
        Assert.True((await backlog.ReadAsync(none)).IsEmpty); // finished: returns instead of waiting
        Assert.Equal(200, spool.AcknowledgedBelow);
    }

    [Fact]
    public async Task OpenReader_RangesAcknowledgedByLiveReader_AreSkipped()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path));
        await WriteNumbersAsync(spool, 0, 30);
        using var live = spool.OpenReaderAt(10);
        using var batch = new SampleBatch();
        Assert.True(live.TryRead(batch, out var result, maxSamples: 10));
        Assert.Equal((10, 19), (result.FirstSequence, result.LastSequence));
        spool.Acknowledge(result.FirstSequence, result.LastSequence);
        Assert.True(spool.IsAcknowledged(15));
        Assert.False(spool.IsAcknowledged(9));

        using var main = spool.OpenReader(); // unbounded: it reads past the live reader's start
        Assert.Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(20, 10)).Select(i => (long)i), TestSamples.DrainNumbers(main));
    }

    [Fact]
    public async Task OpenReaderAt_BelowCursorOrBeyondHead_IsClamped()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path));
        await WriteNumbersAsync(spool, 0, 10);
        spool.Acknowledge(0, 3);
        using var low = spool.OpenReaderAt(0);
        using var high = spool.OpenReaderAt(1000);

        Assert.Equal(4, low.NextSequence);
        Assert.Equal(10, high.NextSequence);
        Assert.Equal([4, 5, 6, 7, 8, 9], TestSamples.DrainNumbers(low));
        await WriteNumbersAsync(spool, 10, 2);
        Assert.Equal([10, 11], TestSamples.DrainNumbers(high));
    }

    [Fact]
    public async Task Acknowledge_LiveBeforeBacklogThenRestart_RedeliversOnlyAboveCursorAndLosesNothing()
    {
        using var dir = new TempDirectory("spool");
        var options = TestSamples.Options(dir.Path) with { SegmentBytes = 4096 };
        var random = new Random(7);
        var acknowledged = new HashSet<long>();
        long persistedCursor;
        await using (var spool = await Spool.OpenAsync(options))
        {
            await WriteNumbersAsync(spool, 0, 400);
            using var backlog = spool.OpenReader();
            using var live = spool.OpenLiveReader();
            backlog.StopBefore(live.NextSequence);
            await WriteNumbersAsync(spool, 400, 200);

            // read everything in chunks from both readers, then acknowledge a random subset in random order
            var ranges = new List<SpoolReadResult>();
            foreach (var reader in new[] { live, backlog })
            {
                using var batch = new SampleBatch();
                while (reader.TryRead(batch, out var result, maxSamples: 7))
                {
                    ranges.Add(result);
                    batch.Clear();
                }
            }

            Assert.Equal(600, ranges.Sum(r => r.Records));
            var toAck = ranges.Where(_ => random.Next(4) != 0).OrderBy(_ => random.Next()).ToList();
            foreach (var range in toAck)
            {
                spool.Acknowledge(range.FirstSequence, range.LastSequence);
                for (var s = range.FirstSequence; s <= range.LastSequence; s++)
                {
                    acknowledged.Add(s);
                }
            }

            await spool.SaveCheckpointAsync();
            persistedCursor = spool.AcknowledgedBelow;
            Assert.Equal(Enumerable.Range(0, 600).First(s => !acknowledged.Contains(s)), persistedCursor);
        }

        await using (var spool = await Spool.OpenAsync(options))
        {
            using var reader = spool.OpenReader();
            Assert.Equal(persistedCursor, reader.NextSequence);
            var delivered = TestSamples.DrainNumbers(reader);

            // nothing acknowledged below the persisted cursor comes again; everything above it does, in order
            Assert.Equal(Enumerable.Range((int)persistedCursor, 600 - (int)persistedCursor).Select(i => (long)i), delivered);
            Assert.All(Enumerable.Range(0, 600).Where(s => !acknowledged.Contains(s)), s => Assert.Contains(s, delivered));
        }
    }

    [Fact]
    public async Task OpenLiveReader_SegmentsDroppedByBudget_SkipsToOldestKept()
    {
        using var dir = new TempDirectory("spool");
        var options = TestSamples.Options(dir.Path) with { SegmentBytes = 4096, DiskBudgetBytes = 16 * 1024 };
        await using var spool = await Spool.OpenAsync(options);
        await WriteNumbersAsync(spool, 0, 10);
        using var live = spool.OpenReaderAt(0);
        for (var i = 1; i < 500; i++)
        {
            using var batch = TestSamples.Numbered(i * 10, 10);
            await spool.WriteAsync(batch);
        }

        var numbers = TestSamples.DrainNumbers(live);
        Assert.Equal(4999, numbers[^1]);
        Assert.True(numbers[0] > 0);
        Assert.Equal(Enumerable.Range((int)numbers[0], numbers.Count).Select(i => (long)i), numbers);
    }

    private static async Task WriteNumbersAsync(Spool spool, long first, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var batch = TestSamples.Numbered(first + i, 1);
            await spool.WriteAsync(batch);
        }
    }

    private static List<long> ReadAndAcknowledge(Spool spool, SpoolReader reader, int maxSamples)
    {
        using var batch = new SampleBatch();
        if (!reader.TryRead(batch, out var result, maxSamples))
        {
            return [];
        }

        spool.Acknowledge(result.FirstSequence, result.LastSequence);
        return batch.Samples.ToArray().Select(s => s.Value.AsInt64()).ToList();
    }
}
