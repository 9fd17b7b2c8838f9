using Telemetry.OpcUa.Client;

namespace Telemetry.OpcUa.Tests.Client;

/// <summary>
/// NotificationMessage sequence numbers roll over to 1 after 4,294,967,295, 0 is never used (OPC 10000-4 §7.26,
/// §5.13.1.1): the acknowledged-through number, gap detection and the resume split of held messages all count 1 as
/// the number after 4,294,967,295.
/// </summary>
public sealed class SequenceRolloverTests
{
    private const uint Max = uint.MaxValue;

    [Fact]
    public void Next_AtMax_RollsOverToOneNotZero()
    {
        Assert.Equal(1u, SequenceNumbers.Next(Max));
        Assert.Equal(Max, SequenceNumbers.Next(Max - 1));
        Assert.True(SequenceNumbers.IsNewer(1, Max));
        Assert.True(SequenceNumbers.IsNewer(2, Max - 1));
        Assert.False(SequenceNumbers.IsNewer(Max, 1));
    }

    [Fact]
    public void OnDone_AckRangeAcrossRollover_ThroughFollowsPastIt()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.Reset(Max - 1);

        acknowledged.OnDone(Max);
        acknowledged.OnDone(1);
        acknowledged.OnDone(2);

        Assert.Equal(2u, acknowledged.Through);
    }

    [Fact]
    public void OnDone_GapBeforeRolloverAcknowledgedLast_ThroughWaitsThenJumpsPastRollover()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.Reset(Max - 2);
        acknowledged.OnDone(1); // Max - 1 and Max are being republished
        acknowledged.OnDone(2);
        Assert.Equal(Max - 2, acknowledged.Through);

        acknowledged.OnDone(Max - 1);
        Assert.Equal(Max - 1, acknowledged.Through);
        acknowledged.OnDone(Max);

        Assert.Equal(2u, acknowledged.Through);
    }

    [Fact]
    public void OnHanded_BaseAtMax_FirstAcknowledgementsCrossTheRollover()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.OnHanded(Max);
        Assert.Equal(Max - 1, acknowledged.Through);

        acknowledged.OnDone(Max);
        acknowledged.OnHanded(1);
        acknowledged.OnDone(1);

        Assert.Equal(1u, acknowledged.Through);
    }

    [Fact]
    public void OnDone_NumberFromBeforeRolloverAfterIt_IgnoredAsOlder()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.Reset(3);

        acknowledged.OnDone(Max);
        acknowledged.OnDone(Max - 10);

        Assert.Equal(3u, acknowledged.Through);
        acknowledged.OnDone(4);
        Assert.Equal(4u, acknowledged.Through);
    }

    [Fact]
    public void OnDone_HoleGivenUpAcrossRollover_JumpsToTheOldestWaiting()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.Reset(Max - 5);

        // Max - 4 never comes; Max - 3 .. Max, then 1 .. MaxAhead - 3 wait above it
        for (var s = Max - 3; s != 1; s = SequenceNumbers.Next(s))
        {
            acknowledged.OnDone(s);
        }

        for (uint s = 1; s <= AcknowledgedSequence.MaxAhead - 4; s++)
        {
            acknowledged.OnDone(s);
        }

        Assert.Equal(Max - 5, acknowledged.Through);
        acknowledged.OnDone(AcknowledgedSequence.MaxAhead - 3); // one more than kept: the hole is given up

        Assert.Equal((uint)(AcknowledgedSequence.MaxAhead - 3), acknowledged.Through);
    }

    [Fact]
    public void Accept_GapAcrossRollover_MissingNumbersOldestFirstThenRecovered()
    {
        var received = new ReceivedSequence();
        Assert.True(received.Accept(Max - 1, out _));

        Assert.True(received.Accept(2, out var gapFrom));

        Assert.Equal(Max, gapFrom);
        Assert.Equal([Max, 1u], received.GetMissing());
        Assert.Equal(3u, received.NextExpected);
        Assert.True(received.Accept(Max, out _));
        Assert.True(received.Accept(1, out _));
        Assert.False(received.HasMissing);
        Assert.False(received.Accept(1, out _)); // a duplicate
        Assert.False(received.Accept(Max - 1, out gapFrom)); // from before the rollover: old, not a gap of 4 billion
        Assert.Equal(0u, gapFrom);
    }

    [Fact]
    public void Accept_InOrderAcrossRollover_NoGap()
    {
        var received = new ReceivedSequence();
        Assert.True(received.Accept(Max, out _));

        Assert.True(received.Accept(1, out var gapFrom));

        Assert.Equal(0u, gapFrom);
        Assert.False(received.HasMissing);
        Assert.Equal(2u, received.NextExpected);
    }

    [Fact]
    public void OnKeepAlive_NextNumberPastRollover_MissingAcrossIt()
    {
        var received = new ReceivedSequence();
        received.Accept(Max - 1, out _);

        Assert.Equal(0u, received.OnKeepAlive(Max));
        Assert.Equal(Max, received.OnKeepAlive(2));

        Assert.Equal([Max, 1u], received.GetMissing());
    }

    [Fact]
    public void ExpectRepublish_HeldAcrossRollover_NextNewOneFollowsTheNewest()
    {
        var received = new ReceivedSequence();

        received.ExpectRepublish([Max - 1, Max, 1]);

        Assert.Equal(2u, received.NextExpected);
        Assert.Equal([Max - 1, Max, 1u], received.GetMissing());
        Assert.True(received.Accept(2, out var gapFrom));
        Assert.Equal(0u, gapFrom);
    }

    [Fact]
    public void SplitHeld_AcknowledgedThroughJustBeforeRollover_NewerOnesFetchedNotDropped()
    {
        var (acknowledge, fetch) = SequenceNumbers.SplitHeld([1, Max - 1, 2, Max], Max - 1);

        Assert.Equal([Max - 1], acknowledge);
        Assert.Equal([Max, 1u, 2u], fetch);
    }

    [Fact]
    public void SplitHeld_AcknowledgedThroughAfterRollover_OlderOnesBeforeItAcknowledged()
    {
        var (acknowledge, fetch) = SequenceNumbers.SplitHeld([Max, 1, 2, 3], 1);

        Assert.Equal([Max, 1u], acknowledge);
        Assert.Equal([2u, 3u], fetch);
    }

    [Fact]
    public void SplitHeld_NothingAcknowledged_AllFetchedOldestFirst()
    {
        var (acknowledge, fetch) = SequenceNumbers.SplitHeld([2, Max, 1], 0);

        Assert.Empty(acknowledge);
        Assert.Equal([Max, 1u, 2u], fetch);
    }
}
