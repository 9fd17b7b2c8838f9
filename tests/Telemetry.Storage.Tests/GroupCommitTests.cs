using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Telemetry.Testing;

namespace Telemetry.Storage.Tests;

/// <summary>
/// Group commit only under load, on a clock that stands still unless the test moves it: a write to an idle spool
/// commits without the window passing; writes that arrive while a commit is on its way wait for the window (or the
/// group's byte limit) and share one fsync.
/// </summary>
public class GroupCommitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WriteAsync_LoneWriterAwaitingEachAppend_CommitsWithoutWaitingForTheWindow()
    {
        using var dir = new TempDirectory("spool");
        var clock = new FakeTimeProvider(Start);
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path) with { GroupCommitInterval = Window, TimeProvider = clock });

        for (var i = 0; i < 5; i++)
        {
            using var batch = TestSamples.Numbered(i * 5, 5);
            await spool.WriteAsync(batch).AsTask().WaitAsync(Timeout);
        }

        using var reader = spool.OpenReader();
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), TestSamples.DrainNumbers(reader));
    }

    [Fact]
    public async Task WriteAsync_ArrivingDuringACommit_WaitsForTheWindowAndSharesOneFsync()
    {
        using var dir = new TempDirectory("spool");
        var fsyncs = 0;
        using var listener = FsyncListener(dir.Path, () => Interlocked.Increment(ref fsyncs));
        var clock = new FakeTimeProvider(Start);
        using var fs = new GatedFileSystem();
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path) with { GroupCommitInterval = Window, TimeProvider = clock, FileSystem = fs });

        var (first, during) = await WriteDuringACommitAsync(spool, fs, 2);
        await first.WaitAsync(Timeout);
        await Task.Delay(100);
        Assert.DoesNotContain(during, w => w.IsCompleted);
        Assert.Equal(1, Volatile.Read(ref fsyncs));

        clock.Advance(Window);
        await Task.WhenAll(during).WaitAsync(Timeout);
        Assert.Equal(2, Volatile.Read(ref fsyncs));
        using var reader = spool.OpenReader();
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), TestSamples.DrainNumbers(reader));
    }

    [Fact]
    public async Task WriteAsync_GroupBytesReachedDuringACommit_CommitsWithoutTheWindow()
    {
        using var dir = new TempDirectory("spool");
        var clock = new FakeTimeProvider(Start);
        using var fs = new GatedFileSystem();
        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path) with { GroupCommitInterval = Window, GroupCommitBytes = 1, TimeProvider = clock, FileSystem = fs });

        var (first, during) = await WriteDuringACommitAsync(spool, fs, 1);
        await first.WaitAsync(Timeout);
        await Task.WhenAll(during).WaitAsync(Timeout);

        using var reader = spool.OpenReader();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), TestSamples.DrainNumbers(reader));
    }

    /// <summary>Writes samples 0-4 and holds their fsync; meanwhile writes <paramref name="more"/> batches of 5; opens the gate.</summary>
    private static async Task<(Task First, Task[] During)> WriteDuringACommitAsync(Spool spool, GatedFileSystem fs, int more)
    {
        fs.Close();
        var firstBatch = TestSamples.Numbered(0, 5);
        var first = spool.WriteAsync(firstBatch).AsTask();
        await fs.WhenHeldAsync(CancellationToken.None).WaitAsync(Timeout);
        var during = new Task[more];
        for (var i = 0; i < more; i++)
        {
            using var batch = TestSamples.Numbered(5 + (i * 5), 5);
            during[i] = spool.WriteAsync(batch).AsTask(); // encoded and appended before WriteAsync returns
        }

        fs.Open();
        await first.WaitAsync(Timeout);
        firstBatch.Dispose();
        return (first, during);
    }

    private static MeterListener FsyncListener(string directory, Action onFsync)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Telemetry.Storage" && instrument.Meter.Tags!.Any(t => Equals(t.Value, directory)))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, _, _, _) =>
        {
            if (i.Name == "telemetry.spool.fsync.duration")
            {
                onFsync();
            }
        });
        listener.Start();
        return listener;
    }
}
