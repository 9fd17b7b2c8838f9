using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using Telemetry.Edge.Forwarding;
using Xunit.Abstractions;

namespace Telemetry.Edge.Tests;

/// <summary>
/// Recovery after an outage, on fake time (<see cref="SteppingClock"/>): a datacenter that is down gets one probe
/// per break from all requests together, the break grows to <see cref="DatacenterOptions.MaxProbeInterval"/> and no
/// further, and a datacenter that comes back is found within one break, after which every waiting request goes.
/// </summary>
public sealed class DeliveryPolicyRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MaxProbe = TimeSpan.FromSeconds(5);

    private static DatacenterOptions Options => new()
    {
        Kind = DatacenterKind.TelemetryIngest,
        BaseUri = new Uri("http://127.0.0.1:9/"),
        EdgeId = "edge-recovery",
        Token = "secret-token",
        MaxRetryDelay = TimeSpan.FromSeconds(30),
        MaxProbeInterval = MaxProbe,
    };

    [Fact]
    public void NominalBreak_Doubling_CappedAtMaxProbeInterval()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(500), DeliveryPolicy.NominalBreak(1, MaxProbe));
        Assert.Equal(TimeSpan.FromSeconds(1), DeliveryPolicy.NominalBreak(2, MaxProbe));
        Assert.Equal(TimeSpan.FromSeconds(4), DeliveryPolicy.NominalBreak(4, MaxProbe));
        Assert.Equal(MaxProbe, DeliveryPolicy.NominalBreak(5, MaxProbe));
        Assert.Equal(MaxProbe, DeliveryPolicy.NominalBreak(int.MaxValue, MaxProbe));
    }

    [Fact]
    public async Task Deliver_DownTenMinutesThenBack_ProbesAtMostEveryMaxIntervalAndRecoversWithinOne()
    {
        var clock = new SteppingClock();
        var datacenter = new FakeDatacenter(clock, upAfter: TimeSpan.FromMinutes(10));
        var policy = new DeliveryPolicy(Options, new ForwarderStatus(clock), NullLogger.Instance, clock);

        var delivery = policy.DeliverAsync(FakeDatacenter.SendAsync, datacenter);
        await clock.RunAsync([delivery], TimeSpan.FromMinutes(20));

        Assert.Equal(DeliveryStatus.Delivered, (await delivery).Status);
        var attempts = datacenter.Attempts;
        var recovery = attempts[^1] - datacenter.UpAt;
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        output.WriteLine($"{attempts.Count} requests in 10 min down; recovered {recovery.TotalSeconds:F2} s after the datacenter came back; longest gap {gaps.Max().TotalSeconds:F2} s");
        Assert.InRange(recovery, TimeSpan.Zero, MaxProbe + DeliveryPolicy.BreakerPoll);
        Assert.All(gaps, g => Assert.True(g <= MaxProbe + DeliveryPolicy.BreakerPoll, $"a gap of {g} between probes"));
        // 600 s at one probe per 3.75-5 s, plus the attempts before the circuit opened
        Assert.InRange(attempts.Count, 600 / 5, (600 / 3.75) + 12);
        Assert.Equal(CircuitState.Closed, policy.Circuit);
    }

    [Fact]
    public async Task Deliver_FourInFlightWhileDown_SharedProbesAndAllDeliverAfterRecovery()
    {
        var clock = new SteppingClock();
        var datacenter = new FakeDatacenter(clock, upAfter: TimeSpan.FromSeconds(60));
        var policy = new DeliveryPolicy(Options, new ForwarderStatus(clock), NullLogger.Instance, clock);

        Task<DeliveryOutcome>[] deliveries = [.. Enumerable.Range(0, 4).Select(_ => policy.DeliverAsync(FakeDatacenter.SendAsync, datacenter))];
        await clock.RunAsync(deliveries, TimeSpan.FromMinutes(5), () => $"circuit {policy.Circuit}, requests at {string.Join(", ", datacenter.Attempts)}");

        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Delivered, d.Result.Status));
        var whileDown = datacenter.Attempts.Count(a => a < datacenter.UpAt);
        var lastDelivered = datacenter.Attempts[^1] - datacenter.UpAt;
        output.WriteLine($"4 batches in flight: {whileDown} requests in 60 s down; all 4 delivered {lastDelivered.TotalSeconds:F2} s after the datacenter came back");
        // each request alone would retry ~10 times a minute at a 30 s cap (40 in all) with its own backoff;
        // with the shared breaker: the first attempts until it opens, then one probe per break
        Assert.InRange(whileDown, 4, 30);
        Assert.InRange(lastDelivered, TimeSpan.Zero, MaxProbe + (2 * DeliveryPolicy.BreakerPoll));
    }

    [Fact]
    public async Task Deliver_SecondOutageAfterSuccess_BreakStartsShortAgain()
    {
        var clock = new SteppingClock();
        var datacenter = new FakeDatacenter(clock, upAfter: TimeSpan.FromSeconds(120));
        var policy = new DeliveryPolicy(Options, new ForwarderStatus(clock), NullLogger.Instance, clock);
        var first = policy.DeliverAsync(FakeDatacenter.SendAsync, datacenter);
        await clock.RunAsync([first], TimeSpan.FromMinutes(5));
        Assert.Equal(DeliveryStatus.Delivered, (await first).Status);

        datacenter.GoDown(TimeSpan.FromSeconds(30));
        var downAt = clock.Elapsed;
        var second = policy.DeliverAsync(FakeDatacenter.SendAsync, datacenter);
        await clock.RunAsync([second], TimeSpan.FromMinutes(10));

        Assert.Equal(DeliveryStatus.Delivered, (await second).Status);
        var attempts = datacenter.Attempts.Where(a => a >= downAt).ToList();
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        output.WriteLine($"second outage: gaps {string.Join(", ", gaps.Select(g => g.TotalSeconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} s");
        // the backoff before the breaker opens (0-250 ms, 0-500 ms, ...) and the first break (<= 0.5 s) are short
        // again: the long break of the first outage was forgotten when it ended
        Assert.True(gaps.Take(4).All(g => g <= TimeSpan.FromSeconds(2)), string.Join(", ", gaps));
    }

    [Fact]
    public async Task Deliver_RetryAfterFromServer_WaitsThatLong()
    {
        var clock = new SteppingClock();
        var datacenter = new FakeDatacenter(clock, upAfter: TimeSpan.FromMilliseconds(1)) { RetryAfter = TimeSpan.FromSeconds(7) };
        var policy = new DeliveryPolicy(Options, new ForwarderStatus(clock), NullLogger.Instance, clock);

        var delivery = policy.DeliverAsync(FakeDatacenter.SendAsync, datacenter);
        await clock.RunAsync([delivery], TimeSpan.FromMinutes(1));

        Assert.Equal(DeliveryStatus.Delivered, (await delivery).Status);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(7)], datacenter.Attempts);
    }

    [Fact]
    public void Validate_ProbeIntervalBelowFirstBreak_Refused()
    {
        var options = Options with { MaxProbeInterval = TimeSpan.FromMilliseconds(100) };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("probe interval", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers 503 (a transient failure) before <see cref="UpAt"/>, 204 after; records when each request came.</summary>
    private sealed class FakeDatacenter(SteppingClock clock, TimeSpan upAfter)
    {
        private readonly SteppingClock _clock = clock;
        private readonly List<TimeSpan> _attempts = [];
        private TimeSpan _downUntil = upAfter;

        public TimeSpan UpAt => _downUntil;

        public TimeSpan? RetryAfter { get; init; }

        public IReadOnlyList<TimeSpan> Attempts
        {
            get
            {
                lock (_attempts)
                {
                    return [.. _attempts];
                }
            }
        }

        public void GoDown(TimeSpan forHowLong) => _downUntil = _clock.Elapsed + forHowLong;

        public static Task<DeliveryOutcome> SendAsync(FakeDatacenter self, CancellationToken cancellationToken)
        {
            var now = self._clock.Elapsed;
            lock (self._attempts)
            {
                self._attempts.Add(now);
            }

            return Task.FromResult(now < self._downUntil
                ? new DeliveryOutcome(DeliveryStatus.Transient, 503, "store down", self.RetryAfter)
                : DeliveryOutcome.Delivered(204));
        }
    }
}
