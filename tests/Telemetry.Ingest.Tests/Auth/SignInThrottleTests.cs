using Telemetry.Ingest.Auth;
using Telemetry.Ingest.Tests.Health;

namespace Telemetry.Ingest.Tests.Auth;

public sealed class SignInThrottleTests
{
    [Fact]
    public void RetryAfter_MaxFailuresReached_BlocksThatPairForTheWindow()
    {
        var clock = new ManualTimeProvider();
        var throttle = new SignInThrottle(3, TimeSpan.FromMinutes(15), clock);

        throttle.Failed("anna", "10.0.0.1");
        throttle.Failed("anna", "10.0.0.1");
        Assert.Null(throttle.RetryAfter("anna", "10.0.0.1"));
        throttle.Failed("anna", "10.0.0.1");

        Assert.Equal(TimeSpan.FromMinutes(15), throttle.RetryAfter("anna", "10.0.0.1"));
        Assert.Equal(TimeSpan.FromMinutes(15), throttle.RetryAfter("ANNA", "10.0.0.1"));
        Assert.Null(throttle.RetryAfter("anna", "10.0.0.2"));
        Assert.Null(throttle.RetryAfter("olaf", "10.0.0.1"));
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Null(throttle.RetryAfter("anna", "10.0.0.1"));
    }

    [Fact]
    public void Succeeded_AfterFailures_ClearsTheCount()
    {
        var throttle = new SignInThrottle(2, TimeSpan.FromMinutes(15), new ManualTimeProvider());

        throttle.Failed("anna", "ip");
        throttle.Succeeded("anna", "ip");
        throttle.Failed("anna", "ip");

        Assert.Null(throttle.RetryAfter("anna", "ip"));
    }

    [Fact]
    public void Failed_AfterWindowEnded_CountsFromOneAgain()
    {
        var clock = new ManualTimeProvider();
        var throttle = new SignInThrottle(2, TimeSpan.FromMinutes(1), clock);

        throttle.Failed("anna", "ip");
        clock.Advance(TimeSpan.FromMinutes(2));
        throttle.Failed("anna", "ip");

        Assert.Null(throttle.RetryAfter("anna", "ip"));
    }

    [Fact]
    public void Failed_ManyDistinctNames_StaysWithinBoundAndStillLimitsRecentOnes()
    {
        var throttle = new SignInThrottle(1, TimeSpan.FromMinutes(15), new ManualTimeProvider(), maxEntries: 100);

        for (var i = 0; i < 1_000; i++)
        {
            throttle.Failed($"user{i}", "ip");
        }

        Assert.NotNull(throttle.RetryAfter("user999", "ip"));
    }
}
