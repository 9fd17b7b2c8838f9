using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Telemetry.Edge.Hosting;

namespace Telemetry.Edge.Tests.Hosting;

public sealed class MemoryHousekeeperTests
{
    [Fact]
    public void Collect_Called_RunsOneFullCollection()
    {
        var housekeeper = new MemoryHousekeeper(NullLogger<MemoryHousekeeper>.Instance);
        var gen2 = GC.CollectionCount(2);

        housekeeper.Collect();

        Assert.True(GC.CollectionCount(2) > gen2);
        Assert.Equal(1, housekeeper.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_TimerTicksThreeTimes_CollectsOncePerTickAndStops()
    {
        var clock = new TimerSignallingClock();
        using var housekeeper = new MemoryHousekeeper(NullLogger<MemoryHousekeeper>.Instance, clock);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await housekeeper.StartAsync(CancellationToken.None);
        var period = await clock.Created.Task.WaitAsync(timeout.Token);
        Assert.Equal(MemoryHousekeeper.Interval, period);

        for (var tick = 1; tick <= 3; tick++)
        {
            clock.Advance(MemoryHousekeeper.Interval);
            while (housekeeper.Runs < tick)
            {
                await Task.Delay(5, timeout.Token);
            }

            Assert.Equal(tick, housekeeper.Runs);
        }

        await housekeeper.StopAsync(timeout.Token);
        Assert.True(housekeeper.ExecuteTask!.IsCompleted);
        Assert.Equal(3, housekeeper.Runs);
    }

    /// <summary>Fake time that tells the test the period of the timer the housekeeper's PeriodicTimer creates (it starts in the background).</summary>
    private sealed class TimerSignallingClock : FakeTimeProvider
    {
        public TaskCompletionSource<TimeSpan> Created { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Created.TrySetResult(period);
            return timer;
        }
    }
}
