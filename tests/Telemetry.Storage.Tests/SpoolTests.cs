using System.Diagnostics.Metrics;
using Telemetry.Core;
using Telemetry.Testing;

namespace Telemetry.Storage.Tests;

public class SpoolTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WriteAsync_ThenTryRead_ReturnsSamplesInOrderWithSequenceRanges()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path));
        for (var i = 0; i < 10; i++)
        {
            using var batch = TestSamples.Numbered(i * 5, 5);
            await spool.WriteAsync(batch);
        }

        using var reader = spool.OpenReader();
        using var read = new SampleBatch();
        Assert.True(reader.TryRead(read, out var result, maxSamples: 12));
        Assert.Equal(new SpoolReadResult(0, 2, 3, 15), result);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), read.Samples.ToArray().Select(s => s.Value.AsInt64()));
        Assert.Equal(TestSamples.Counter(), read[0].Path);
        Assert.Equal(TestSamples.BaseTimeNs + 250_000, read[0].ReceiveTimeNs);
        Assert.Equal(Enumerable.Range(15, 35).Select(i => (long)i), TestSamples.DrainNumbers(reader));
    }

    [Fact]
    public async Task ReadAsync_NothingDurable_CompletesWhenWritten()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path) with { GroupCommitInterval = TimeSpan.FromMilliseconds(5) });
        using var reader = spool.OpenReader();
        using var read = new SampleBatch();
        var pending = reader.ReadAsync(read).AsTask();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);

        using var batch = TestSamples.Numbered(7, 1);
        await spool.WriteAsync(batch);
        var result = await pending.WaitAsync(Timeout);

        Assert.Equal(0, result.FirstSequence);
        Assert.Equal(7, read[0].Value.AsInt64());
    }

    [Fact]
    public async Task Acknowledge_AllRead_DeletesSealedSegmentsAndPersistsCursor()
    {
        using var dir = new TempDirectory("spool");
        var options = TestSamples.Options(dir.Path) with { SegmentBytes = 4096 };
        await using (var spool = await Spool.OpenAsync(options))
        {
            for (var i = 0; i < 200; i++)
            {
                using var batch = TestSamples.Numbered(i * 10, 10);
                await spool.WriteAsync(batch);
            }

            Assert.True(Directory.GetFiles(dir.Path, "*.seg").Length > 5);
            using var reader = spool.OpenReader();
            var results = new List<SpoolReadResult>();
            Assert.Equal(2000, TestSamples.DrainNumbers(reader, results).Count);
            spool.Acknowledge(0, 149);
            await spool.SaveCheckpointAsync();

            var stats = spool.GetStatistics();
            Assert.Equal(150, stats.AcknowledgedBelow);
            Assert.Equal(50, stats.BacklogRecords);
            var bases = Directory.GetFiles(dir.Path, "*.seg").Select(f => SegmentInfo.TryParseBase(f, out var b) ? b : -1).Order().ToList();
            Assert.True(bases[0] <= 150 && (bases.Count == 1 || bases[1] > 150), string.Join(",", bases)); // fully acknowledged segments are gone
        }

        await using (var spool = await Spool.OpenAsync(options))
        {
            using var reader = spool.OpenReader();
            Assert.Equal(150, reader.NextSequence);
            Assert.Equal(Enumerable.Range(1500, 500).Select(i => (long)i), TestSamples.DrainNumbers(reader));
        }
    }

    [Fact]
    public async Task Acknowledge_OutOfOrderRanges_CursorIsContiguousLowWater()
    {
        using var dir = new TempDirectory("spool");
        var options = TestSamples.Options(dir.Path);
        await using (var spool = await Spool.OpenAsync(options))
        {
            for (var i = 0; i < 10; i++)
            {
                using var batch = TestSamples.Numbered(i, 1);
                await spool.WriteAsync(batch);
            }

            spool.Acknowledge(5, 9); // live tail delivered first
            spool.Acknowledge(0, 1);
            Assert.Equal(2, spool.AcknowledgedBelow);
            Assert.Throws<ArgumentOutOfRangeException>(() => spool.Acknowledge(9, 10));
        }

        await using (var spool = await Spool.OpenAsync(options))
        {
            using var reader = spool.OpenReader();
            Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9], TestSamples.DrainNumbers(reader));
        }
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWriters_EveryBatchOnceInWriterOrder()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path) with { GroupCommitInterval = TimeSpan.FromMilliseconds(2), SegmentBytes = 64 * 1024 });
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                using var batch = TestSamples.Numbered(i * 3, 3, writer: w);
                await spool.WriteAsync(batch);
            }
        }));
        await Task.WhenAll(writers).WaitAsync(Timeout);

        using var reader = spool.OpenReader();
        using var read = new SampleBatch(4096);
        var next = new long[4];
        while (reader.TryRead(read, out _))
        {
            foreach (ref readonly var s in read.Samples)
            {
                var w = s.Path.Machine[1] - '0';
                Assert.Equal(next[w]++, s.Value.AsInt64());
            }

            read.Clear();
        }

        Assert.All(next, n => Assert.Equal(900, n));
        Assert.Equal(1200, spool.GetStatistics().AppendedRecords);
    }

    [Fact]
    public async Task WriteAsync_BudgetDropOldest_KeepsNewestWithinBudgetAndReportsDrops()
    {
        using var dir = new TempDirectory("spool");
        var options = TestSamples.Options(dir.Path) with { SegmentBytes = 4096, DiskBudgetBytes = 16 * 1024 };
        await using var spool = await Spool.OpenAsync(options);
        for (var i = 0; i < 500; i++)
        {
            using var batch = TestSamples.Numbered(i * 10, 10);
            await spool.WriteAsync(batch);
        }

        await spool.SaveCheckpointAsync();
        var stats = spool.GetStatistics();
        Assert.True(stats.DiskBytes <= 16 * 1024, $"{stats.DiskBytes} bytes on disk");
        Assert.True(Directory.GetFiles(dir.Path, "*.seg").Sum(f => new FileInfo(f).Length) <= 16 * 1024);
        Assert.True(stats.RecordsDropped > 0);
        Assert.Equal(stats.AcknowledgedBelow, stats.RecordsDropped);
        var drop = Assert.Single(stats.RecentDrops[0].Tags);
        Assert.Equal(TestSamples.Counter(), drop.Path);
        Assert.Equal(TestSamples.BaseTimeNs, drop.FirstSourceTimeNs);

        using var reader = spool.OpenReader();
        var numbers = TestSamples.DrainNumbers(reader);
        Assert.Equal(4999, numbers[^1]);
        Assert.Equal(Enumerable.Range((int)numbers[0], numbers.Count).Select(i => (long)i), numbers);
        Assert.Equal(numbers[0], stats.RecentDrops.Sum(d => d.Samples));
        Assert.Equal(numbers[0], stats.RecordsDropped * 10);
    }

    [Fact]
    public async Task WriteAsync_BudgetDropOldestOfPartlyDeliveredSegment_CountsOnlyWhatWasNotAcknowledged()
    {
        using var dir = new TempDirectory("spool");
        var options = TestSamples.Options(dir.Path) with { SegmentBytes = 4096, DiskBudgetBytes = 16 * 1024 };
        await using var spool = await Spool.OpenAsync(options);
        var written = 0;
        while (spool.Segments.Length < 2)
        {
            using var batch = TestSamples.Numbered(written++ * 10, 10);
            await spool.WriteAsync(batch);
        }

        // the first segment partly delivered: its first three records in order, two more out of order (live-first)
        var first = spool.Segments[0].BaseSequence;
        spool.Acknowledge(first, first + 2);
        spool.Acknowledge(first + 5, first + 6);
        const long acknowledgedSamples = 5 * 10;
        while (spool.GetStatistics().RecordsDropped == 0)
        {
            using var batch = TestSamples.Numbered(written++ * 10, 10);
            await spool.WriteAsync(batch);
        }

        await spool.SaveCheckpointAsync();
        var stats = spool.GetStatistics();
        using var reader = spool.OpenReader();
        var kept = TestSamples.DrainNumbers(reader);

        // lost = every sample before the first kept one that was not acknowledged: exactly what the spool reports
        var lost = kept[0] - acknowledgedSamples;
        Assert.Equal(lost, stats.SamplesDropped);
        Assert.Equal(lost / 10, stats.RecordsDropped);
        Assert.Equal(lost, stats.RecentDrops.Sum(d => d.Samples));
        Assert.Equal(lost, stats.RecentDrops.SelectMany(d => d.Tags).Sum(t => t.Samples));
        Assert.Equal(TestSamples.BaseTimeNs + (30 * 1_000_000), stats.RecentDrops[0].Tags[0].FirstSourceTimeNs);
        Assert.Equal(lost / 10, stats.RecentDrops.Sum(d => d.DroppedRecords));
        Assert.Equal(stats.RecentDrops[0].Records - 5, stats.RecentDrops[0].DroppedRecords);
        Assert.Equal(TestSamples.BaseTimeNs + (30 * 1_000_000), stats.RecentDrops[0].FirstSourceTimeNs);
        Assert.Equal(stats.RecentDrops[^1].Tags.Max(t => t.LastSourceTimeNs), stats.RecentDrops[^1].LastSourceTimeNs);
    }

    [Fact]
    public async Task WriteAsync_BudgetRejectNew_ThrowsTransientThenResumesAfterAcknowledge()
    {
        using var dir = new TempDirectory("spool");
        var options = TestSamples.Options(dir.Path) with { SegmentBytes = 4096, DiskBudgetBytes = 8192, FullPolicy = SpoolFullPolicy.RejectNew };
        await using var spool = await Spool.OpenAsync(options);
        var written = 0;
        SpoolException? rejected = null;
        while (rejected is null && written < 10_000)
        {
            using var batch = TestSamples.Numbered(written * 10, 10);
            try
            {
                await spool.WriteAsync(batch);
                written++;
            }
            catch (SpoolException ex)
            {
                rejected = ex;
            }
        }

        Assert.NotNull(rejected);
        Assert.Equal(SpoolError.BudgetExhausted, rejected.Error);
        Assert.True(rejected.IsTransient);

        using var reader = spool.OpenReader();
        Assert.Equal(written * 10, TestSamples.DrainNumbers(reader).Count);
        spool.Acknowledge(0, written - 1);
        await spool.SaveCheckpointAsync();
        using var more = TestSamples.Numbered(written * 10, 10);
        await spool.WriteAsync(more);
        Assert.Equal(Enumerable.Range(written * 10, 10).Select(i => (long)i), TestSamples.DrainNumbers(reader));
    }

    [Fact]
    public async Task GetStatistics_Backlog_CountsSamplesBytesAndAge()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path));
        using var batch = new SampleBatch();
        var now = UnixTime.Now(TimeProvider.System);
        batch.Add(new Sample(TestSamples.Counter(), now, SampleValue.FromDouble(1), Quality.Good, now - 60_000_000_000L));
        await spool.WriteAsync(batch);
        using var reader = spool.OpenReader();

        var stats = spool.GetStatistics();
        Assert.Equal(1, stats.BacklogRecords);
        Assert.Equal(1, stats.BacklogSamples);
        Assert.True(stats.BacklogBytes > 16);
        Assert.InRange(stats.OldestUnacknowledgedAge!.Value.TotalSeconds, 59, 120);
        Assert.InRange(stats.BytesPerSample, 16, 80);
    }

    [Fact]
    public async Task WriteAsync_WithListener_RecordsFsyncHistogramAndCounters()
    {
        using var dir = new TempDirectory("spool");
        var fsyncs = 0;
        long appended = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Telemetry.Storage" && instrument.Meter.Tags!.Any(t => Equals(t.Value, dir.Path)))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, _, _, _) =>
        {
            if (i.Name == "telemetry.spool.fsync.duration")
            {
                Interlocked.Increment(ref fsyncs);
            }
        });
        listener.SetMeasurementEventCallback<long>((i, v, _, _) =>
        {
            if (i.Name == "telemetry.spool.appended.samples")
            {
                Interlocked.Add(ref appended, v);
            }
        });
        listener.Start();

        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path));
        using var batch = TestSamples.Numbered(0, 25);
        await spool.WriteAsync(batch);

        Assert.True(fsyncs >= 1);
        Assert.Equal(25, Interlocked.Read(ref appended));
    }

    [Fact]
    public void Validate_BadOptions_ThrowsNamingTheOption()
    {
        Assert.Contains("SegmentBytes", Assert.Throws<ArgumentException>(() => new SpoolOptions("/tmp/x") { SegmentBytes = 10 }.Validate()).Message);
        Assert.Contains("DiskBudgetBytes", Assert.Throws<ArgumentException>(() => new SpoolOptions("/tmp/x") { DiskBudgetBytes = 1000 }.Validate()).Message);
        Assert.Contains("GroupCommitInterval", Assert.Throws<ArgumentException>(() => new SpoolOptions("/tmp/x") { GroupCommitInterval = TimeSpan.FromSeconds(-1) }.Validate()).Message);
        Assert.Contains("Directory", Assert.Throws<ArgumentException>(() => new SpoolOptions("").Validate()).Message);
        new SpoolOptions("/tmp/x").Validate();
    }

    [Fact]
    public async Task OpenReader_Twice_Throws()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path));
        using var reader = spool.OpenReader();
        Assert.Throws<InvalidOperationException>(() => spool.OpenReader());
    }
}
