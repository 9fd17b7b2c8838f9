namespace Telemetry.Storage.Tests;

public class AckTrackerTests
{
    [Fact]
    public void Acknowledge_InOrder_MovesLowWater()
    {
        var acks = new AckTracker(10);
        Assert.True(acks.Acknowledge(10, 14));
        Assert.Equal(15, acks.LowWater);
    }

    [Fact]
    public void Acknowledge_OutOfOrder_MovesLowWaterOnlyWhenContiguous()
    {
        var acks = new AckTracker(0);
        Assert.False(acks.Acknowledge(20, 29)); // live tail first
        Assert.False(acks.Acknowledge(5, 9));
        Assert.Equal(0, acks.LowWater);
        Assert.Equal(2, acks.PendingRangeCount);
        Assert.True(acks.Acknowledge(0, 4));
        Assert.Equal(10, acks.LowWater);
        Assert.True(acks.Acknowledge(10, 19));
        Assert.Equal(30, acks.LowWater);
        Assert.Equal(0, acks.PendingRangeCount);
    }

    [Fact]
    public void Acknowledge_OverlappingAndBelowLowWater_Merges()
    {
        var acks = new AckTracker(100);
        Assert.False(acks.Acknowledge(0, 50));
        Assert.False(acks.Acknowledge(110, 120));
        Assert.False(acks.Acknowledge(115, 130));
        Assert.False(acks.Acknowledge(131, 131));
        Assert.Equal(1, acks.PendingRangeCount);
        Assert.True(acks.Acknowledge(90, 109));
        Assert.Equal(132, acks.LowWater);
    }

    [Fact]
    public void AdvanceTo_AboveRanges_DropsThemAndMerges()
    {
        var acks = new AckTracker(0);
        acks.Acknowledge(5, 6);
        acks.Acknowledge(10, 12);
        Assert.True(acks.AdvanceTo(8));
        Assert.Equal(8, acks.LowWater);
        acks.Acknowledge(8, 9);
        Assert.Equal(13, acks.LowWater);
    }

    [Fact]
    public void IsAcknowledged_RangesAboveLowWater_MatchesEveryRange()
    {
        var acks = new AckTracker(3);
        acks.Acknowledge(10, 12);
        acks.Acknowledge(20, 20);
        acks.Acknowledge(15, 16);
        var expected = new HashSet<long> { 0, 1, 2, 10, 11, 12, 15, 16, 20 };
        for (long s = 0; s < 25; s++)
        {
            Assert.Equal(expected.Contains(s), acks.IsAcknowledged(s));
        }

        acks.Acknowledge(3, 9);
        Assert.True(acks.IsAcknowledged(12));
        Assert.False(acks.IsAcknowledged(13));
    }
}
