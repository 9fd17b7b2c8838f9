using Telemetry.Core;

namespace Telemetry.Storage.Tests.RealDisk;

/// <summary>Disk full on a real small file system (an 8 MiB tmpfs), not through the seam.</summary>
public class DiskFullTests
{
    private const int SamplesPerBatch = 500;

    [Fact]
    public async Task WriteAsync_TmpfsFull_FailsClearlyKeepsAcknowledgedAndResumesWhenSpaceFreed()
    {
        using var disk = new SmallFileSystem();
        var filler = disk.Fill("filler", 4 * 1024 * 1024);
        var options = TestSamples.Options(Path.Combine(disk.Path, "spool")) with { SegmentBytes = 512 * 1024 };
        long written = 0;
        await using (var spool = await Spool.OpenAsync(options))
        {
            var full = await WriteUntilFullAsync(spool, () => written, n => written += n);
            Assert.Equal(SpoolError.DiskFull, full.Error);
            Assert.True(full.IsTransient);
            Assert.Contains("full", full.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(options.Directory, full.Message, StringComparison.Ordinal);
            Assert.True(written > 10 * SamplesPerBatch, $"only {written} samples fit");

            // the spool stays usable: everything whose append completed is there, in order
            using var reader = spool.OpenReader();
            Assert.Equal(Enumerable.Range(0, (int)written).Select(i => (long)i), TestSamples.DrainNumbers(reader));
            await Assert.ThrowsAsync<SpoolException>(() => WriteBatchAsync(spool, written));

            File.Delete(filler); // space is freed: appending resumes with the next number
            await WriteBatchAsync(spool, written);
            written += SamplesPerBatch;
            Assert.Equal(Enumerable.Range((int)written - SamplesPerBatch, SamplesPerBatch).Select(i => (long)i), TestSamples.DrainNumbers(reader));
            Assert.True(spool.GetStatistics().FlushFailures + spool.GetStatistics().AppendsRejected > 0);
        }

        await using (var reopened = await Spool.OpenAsync(options))
        {
            using var reader = reopened.OpenReader();
            Assert.Equal(Enumerable.Range(0, (int)written).Select(i => (long)i), TestSamples.DrainNumbers(reader));
            Assert.Equal(0, reopened.GetStatistics().RecordsCutAtRecovery);
        }
    }

    [Fact]
    public async Task WriteAsync_TmpfsFullThenAcknowledged_DeletesSegmentsAndResumes()
    {
        using var disk = new SmallFileSystem();
        var options = TestSamples.Options(Path.Combine(disk.Path, "spool")) with { SegmentBytes = 512 * 1024 };
        long written = 0;
        await using var spool = await Spool.OpenAsync(options);
        var full = await WriteUntilFullAsync(spool, () => written, n => written += n);
        Assert.Equal(SpoolError.DiskFull, full.Error);

        // the forwarder delivers the backlog: acknowledged segments are deleted, which frees the disk
        using var reader = spool.OpenReader();
        using var batch = new SampleBatch(4096);
        long acknowledged = 0;
        while (reader.TryRead(batch, out var result, 4096))
        {
            acknowledged += batch.Count;
            spool.Acknowledge(result.FirstSequence, result.LastSequence);
            batch.Clear();
        }

        Assert.Equal(written, acknowledged);
        await spool.SaveCheckpointAsync();
        Assert.True(disk.FreeBytes > 4 * 1024 * 1024, $"{disk.FreeBytes} bytes free after the acknowledgement");
        await WriteBatchAsync(spool, written);
        Assert.Equal(Enumerable.Range((int)written, SamplesPerBatch).Select(i => (long)i), TestSamples.DrainNumbers(reader));
    }

    [Fact]
    public async Task WriteAsync_BudgetDropOldestOnTmpfs_NeverFullKeepsNewestWithinBudget()
    {
        using var disk = new SmallFileSystem();
        const long budget = 4 * 1024 * 1024;
        var options = TestSamples.Options(Path.Combine(disk.Path, "spool")) with { SegmentBytes = 256 * 1024, DiskBudgetBytes = budget };
        await using var spool = await Spool.OpenAsync(options);
        const int batches = 2000; // far more than the 8 MiB file system holds
        for (var i = 0; i < batches; i++)
        {
            await WriteBatchAsync(spool, (long)i * SamplesPerBatch);
        }

        await spool.SaveCheckpointAsync();
        var onDisk = Directory.GetFiles(options.Directory, "*.seg").Sum(f => new FileInfo(f).Length);
        Assert.True(onDisk <= budget, $"{onDisk} bytes of segments, budget {budget}");
        var stats = spool.GetStatistics();
        Assert.True(stats.SamplesDropped > 0);
        Assert.Equal(0, stats.FlushFailures);

        using var reader = spool.OpenReader();
        var kept = TestSamples.DrainNumbers(reader);
        Assert.Equal((batches * SamplesPerBatch) - 1, kept[^1]); // the newest sample is there
        Assert.Equal(Enumerable.Range((int)kept[0], kept.Count).Select(i => (long)i), kept); // contiguous: only the oldest went
        Assert.True(kept.Count * 4L >= budget / 8, $"only {kept.Count} samples kept"); // the budget is used, not emptied
    }

    private static async Task<SpoolException> WriteUntilFullAsync(Spool spool, Func<long> written, Action<long> advance)
    {
        for (var i = 0; i < 100_000; i++)
        {
            try
            {
                await WriteBatchAsync(spool, written());
                advance(SamplesPerBatch);
            }
            catch (SpoolException ex)
            {
                return ex;
            }
        }

        throw new InvalidOperationException("The small file system never filled up.");
    }

    private static async Task WriteBatchAsync(Spool spool, long first)
    {
        using var batch = TestSamples.Numbered(first, SamplesPerBatch);
        await spool.WriteAsync(batch);
    }
}
