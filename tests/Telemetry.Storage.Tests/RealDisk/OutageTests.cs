using System.Diagnostics;
using Telemetry.Core;
using Telemetry.Testing;
using Xunit.Abstractions;

namespace Telemetry.Storage.Tests.RealDisk;

/// <summary>A long datacenter outage on the real file system: the backlog builds with no reader, then drains.</summary>
public class OutageTests(ITestOutputHelper output)
{
    private const long TotalSamples = 10_000_000;
    private const int BatchSamples = 10_000;
    private const int Tags = 50;

    [Fact]
    public async Task ReadAsync_TenMillionSamplesAppendedWhileStopped_DrainsInOrderNoneMissing()
    {
        using var dir = new TempDirectory("spool-outage");
        var options = new SpoolOptions(dir.Path) { GroupCommitInterval = TimeSpan.Zero, CheckpointInterval = TimeSpan.FromMilliseconds(50) };
        var paths = Enumerable.Range(0, Tags).Select(i => new AssetPath("plant", "hall", "line", $"m{i % 5}", $"tag{i}")).ToArray();
        var watch = Stopwatch.StartNew();
        await using (var spool = await Spool.OpenAsync(options))
        {
            // the outage: no reader at all while the backlog grows
            using var batch = new SampleBatch(BatchSamples);
            for (long n = 0; n < TotalSamples; n += BatchSamples)
            {
                batch.Clear();
                for (var i = 0; i < BatchSamples; i++)
                {
                    var number = n + i;
                    var t = TestSamples.BaseTimeNs + (number * 1_000_000);
                    batch.Add(new Sample(paths[number % Tags], t, SampleValue.FromInt64(number), Quality.Good, t + 100_000));
                }

                await spool.WriteAsync(batch);
            }

            var appended = watch.Elapsed;
            var stats = spool.GetStatistics();
            Assert.Equal(TotalSamples, stats.AppendedSamples);
            output.WriteLine($"appended {TotalSamples:N0} samples in {appended.TotalSeconds:F1} s, {stats.DiskBytes:N0} bytes, {stats.Segments} segments");
        }

        // the link is back (after a restart of the agent, to include recovery): drain in order, acknowledging as we go
        watch.Restart();
        await using (var spool = await Spool.OpenAsync(options))
        {
            using var reader = spool.OpenReader();
            using var batch = new SampleBatch(65536);
            long expected = 0;
            while (expected < TotalSamples)
            {
                batch.Clear();
                var result = await reader.ReadAsync(batch, 65536).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                foreach (ref readonly var sample in batch.Samples)
                {
                    if (sample.Value.AsInt64() != expected || !sample.Path.Equals(paths[expected % Tags]))
                    {
                        Assert.Fail($"sample {expected}: got {sample.Value.AsInt64()} of {sample.Path}");
                    }

                    expected++;
                }

                spool.Acknowledge(result.FirstSequence, result.LastSequence);
            }

            await spool.SaveCheckpointAsync();
            var stats = spool.GetStatistics();
            Assert.Equal(TotalSamples, expected);
            Assert.False(reader.TryRead(batch, out _));
            Assert.Equal(0, stats.BacklogRecords);
            Assert.Equal(0, stats.RecordsSkippedCorrupt);
            Assert.Equal(1, stats.Segments); // acknowledged segments were deleted
            output.WriteLine($"drained in {watch.Elapsed.TotalSeconds:F1} s");
        }
    }
}
