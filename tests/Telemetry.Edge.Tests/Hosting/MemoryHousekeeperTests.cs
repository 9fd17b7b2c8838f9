using Microsoft.Extensions.Logging.Abstractions;
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
        var clock = new ManualTimerClock();
        using var housekeeper = new MemoryHousekeeper(NullLogger<MemoryHousekeeper>.Instance, clock);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await housekeeper.StartAsync(CancellationToken.None);
        var timer = await clock.Created.Task.WaitAsync(timeout.Token);
        Assert.Equal(MemoryHousekeeper.Interval, timer.Period);

        for (var tick = 1; tick <= 3; tick++)
        {
            timer.Fire();
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

    /// <summary>Hands the test the one timer the housekeeper's PeriodicTimer creates; it ticks only when fired.</summary>
    private sealed class ManualTimerClock : TimeProvider
    {
        public TaskCompletionSource<ManualTimer> Created { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(callback, state, period);
            Created.TrySetResult(timer);
            return timer;
        }
    }

    private sealed class ManualTimer(TimerCallback callback, object? state, TimeSpan period) : ITimer
    {
        public TimeSpan Period { get; private set; } = period;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Period = period;
            return true;
        }

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
