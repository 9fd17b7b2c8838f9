using Microsoft.Extensions.Time.Testing;
using Telemetry.Ingest.Auth;

namespace Telemetry.Ingest.Tests.Auth;

public sealed class SignInThrottleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RetryAfter_MaxFailuresReached_BlocksThatPairForTheWindow()
    {
        var clock = new FakeTimeProvider(Start);
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
        var throttle = new SignInThrottle(2, TimeSpan.FromMinutes(15), new FakeTimeProvider(Start));

        throttle.Failed("anna", "ip");
        throttle.Succeeded("anna", "ip");
        throttle.Failed("anna", "ip");

        Assert.Null(throttle.RetryAfter("anna", "ip"));
    }

    [Fact]
    public void Failed_AfterWindowEnded_CountsFromOneAgain()
    {
        var clock = new FakeTimeProvider(Start);
        var throttle = new SignInThrottle(2, TimeSpan.FromMinutes(1), clock);

        throttle.Failed("anna", "ip");
        clock.Advance(TimeSpan.FromMinutes(2));
        throttle.Failed("anna", "ip");

        Assert.Null(throttle.RetryAfter("anna", "ip"));
    }

    [Fact]
    public void Failed_ManyDistinctNames_StaysWithinBoundAndStillLimitsRecentOnes()
    {
        var throttle = new SignInThrottle(1, TimeSpan.FromMinutes(15), new FakeTimeProvider(Start), maxEntries: 100);

        for (var i = 0; i < 1_000; i++)
        {
            throttle.Failed($"user{i}", "ip");
        }

        Assert.NotNull(throttle.RetryAfter("user999", "ip"));
    }
}
