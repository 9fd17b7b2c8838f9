namespace Telemetry.Edge.Tests;

/// <summary>
/// A clock for policy tests: time stands still until the test moves it, and <see cref="RunAsync"/> moves it from one
/// timer to the next once every operation under test is parked on a timer, so a 10-minute outage takes
/// milliseconds and every attempt happens at the exact fake time its delay says. (Not FakeTimeProvider: this needs how
/// many timers are pending and when the earliest is due, which FakeTimeProvider does not tell.)
/// </summary>
public sealed class SteppingClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<SteppingTimer> _timers = [];
    private long _ticks = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero).UtcTicks;

    public DateTimeOffset Start { get; } = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Fake time since the start.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count;
            }
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppingTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves time from timer to timer while any of <paramref name="operations"/> is running: whenever as many timers
    /// are pending as operations are running (all parked), time jumps to the earliest and fires it. Fails when the
    /// operations neither finish nor park within a few real seconds, or when fake time passes <paramref name="limit"/>.
    /// </summary>
    public async Task RunAsync(IReadOnlyCollection<Task> operations, TimeSpan limit, Func<string>? describe = null)
    {
        var realLimit = DateTime.UtcNow.AddSeconds(60);
        var fired = 0L;
        while (true)
        {
            Assert.True(DateTime.UtcNow < realLimit, $"still running after 60 s of real time ({fired} timers fired, fake time {Elapsed}, timers due at {DueTimes()}): {describe?.Invoke()}");
            var running = 0;
            foreach (var t in operations)
            {
                if (!t.IsCompleted)
                {
                    running++;
                }
            }

            if (running == 0)
            {
                await Task.WhenAll(operations);
                return;
            }

            var realDeadline = DateTime.UtcNow.AddSeconds(10);
            while (PendingTimers < (running = operations.Count(t => !t.IsCompleted)) && running > 0)
            {
                Assert.True(DateTime.UtcNow < realDeadline, $"operations neither finished nor waited on a timer ({PendingTimers} timers, {running} running) at {Elapsed}, timers due at {DueTimes()}, operations {string.Join(", ", operations.Select(t => t.Status))}: {describe?.Invoke()}");
                await Task.Delay(1);
            }

            if (!operations.Any(t => !t.IsCompleted))
            {
                continue;
            }

            Assert.True(Elapsed < limit, $"still running after {limit} of fake time: {describe?.Invoke()}");
            FireNext();
            fired++;
        }
    }

    private string DueTimes()
    {
        lock (_lock)
        {
            return string.Join(", ", _timers.Select(t => t.Due - Start));
        }
    }

    private void FireNext()
    {
        SteppingTimer? next = null;
        lock (_lock)
        {
            foreach (var t in _timers)
            {
                if (next is null || t.Due < next.Due)
                {
                    next = t;
                }
            }

            if (next is null)
            {
                return;
            }

            if (next.Due.UtcTicks > Interlocked.Read(ref _ticks))
            {
                Interlocked.Exchange(ref _ticks, next.Due.UtcTicks);
            }

            if (next.Period > TimeSpan.Zero && next.Period != Timeout.InfiniteTimeSpan)
            {
                next.Due += next.Period;
            }
            else
            {
                _timers.Remove(next);
            }
        }

        next.Fire();
    }

    private sealed class SteppingTimer(SteppingClock owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                Due = owner.GetUtcNow() + dueTime;
                Period = period;
                owner._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
