using Telemetry.OpcUa.Client;

namespace Telemetry.OpcUa.Tests.Client;

public class PublishRequestBudgetTests
{
    [Fact]
    public void OnTooManyRequests_KeepsWhatTheServerStillHolds_AtLeastOne()
    {
        var budget = new PublishRequestBudget(3);
        budget.OnTooManyRequests(2);
        Assert.Equal(2, budget.Max);
        budget.OnTooManyRequests(0);
        Assert.Equal(1, budget.Max);
    }

    [Fact]
    public void OnAnswered_AfterARunOfResponses_GrowsBackOneAtATimeToTheConfiguredCount()
    {
        var budget = new PublishRequestBudget(3);
        budget.OnTooManyRequests(0);
        for (var i = 0; i < PublishRequestBudget.RaiseAfter - 1; i++)
        {
            budget.OnAnswered();
        }

        Assert.Equal(1, budget.Max);
        budget.OnAnswered();
        Assert.Equal(2, budget.Max);
        for (var i = 0; i < 10 * PublishRequestBudget.RaiseAfter; i++)
        {
            budget.OnAnswered();
        }

        Assert.Equal(3, budget.Max);
    }

    [Fact]
    public void OnTooManyRequests_DuringTheRun_StartsTheRunAgain()
    {
        var budget = new PublishRequestBudget(2);
        budget.OnTooManyRequests(1);
        for (var i = 0; i < PublishRequestBudget.RaiseAfter - 1; i++)
        {
            budget.OnAnswered();
        }

        budget.OnTooManyRequests(1);
        budget.OnAnswered();
        Assert.Equal(1, budget.Max);
    }

    [Fact]
    public void OnAnswered_NeverLimited_StaysAtTheConfiguredCount()
    {
        var budget = new PublishRequestBudget(3);
        for (var i = 0; i < 100; i++)
        {
            budget.OnAnswered();
        }

        Assert.Equal(3, budget.Max);
    }

    [Fact]
    public void OnSubscriptions_MoreThanTheConfiguredCount_KeepsOneMoreThanSubscriptionsUpToTheCeiling()
    {
        var budget = new PublishRequestBudget(3);
        budget.OnSubscriptions(1);
        Assert.Equal(3, budget.Max);
        budget.OnSubscriptions(10);
        Assert.Equal(11, budget.Max);
        budget.OnSubscriptions(40);
        Assert.Equal(PublishRequestBudget.Ceiling, budget.Max);
        budget.OnSubscriptions(4);
        Assert.Equal(5, budget.Max);
        budget.OnSubscriptions(0);
        Assert.Equal(3, budget.Max);
    }

    [Fact]
    public void OnSubscriptions_WhileThrottledByTheServer_GrowsBackToTheNewCountOneAtATime()
    {
        var budget = new PublishRequestBudget(3);
        budget.OnSubscriptions(10);
        budget.OnTooManyRequests(4);
        budget.OnSubscriptions(10);
        Assert.Equal(4, budget.Max);
        for (var i = 0; i < 100 * PublishRequestBudget.RaiseAfter; i++)
        {
            budget.OnAnswered();
        }

        Assert.Equal(11, budget.Max);
    }
}
