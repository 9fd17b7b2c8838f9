using Telemetry.OpcUa.Client;

namespace Telemetry.OpcUa.Tests.Client;

/// <summary>The in-order acknowledged sequence number a resumed client skips up to (everything at or below it is safe).</summary>
public sealed class AcknowledgedSequenceTests
{
    [Fact]
    public void OnDone_InOrder_ThroughFollows()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.OnHanded(5);
        Assert.Equal(4u, acknowledged.Through);

        acknowledged.OnDone(5);
        acknowledged.OnHanded(6);
        acknowledged.OnDone(6);

        Assert.Equal(6u, acknowledged.Through);
    }

    [Fact]
    public void OnDone_GapAcknowledgedLater_ThroughWaitsBelowTheGapThenJumps()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.OnHanded(1);
        acknowledged.OnDone(1);
        acknowledged.OnDone(3); // 2 is being republished
        acknowledged.OnDone(4);
        Assert.Equal(1u, acknowledged.Through);

        acknowledged.OnDone(2);
        Assert.Equal(4u, acknowledged.Through);
    }

    [Fact]
    public void OnDone_DuplicateOrOlder_Ignored()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.Reset(10);
        acknowledged.OnDone(9);
        acknowledged.OnDone(10);
        acknowledged.OnHanded(3); // the base is known already
        Assert.Equal(10u, acknowledged.Through);

        acknowledged.OnDone(11);
        Assert.Equal(11u, acknowledged.Through);
    }

    [Fact]
    public void OnHanded_ThenLaterAcknowledgedFirst_EarlierStillHoldsThrough()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.OnHanded(7);
        acknowledged.OnHanded(8);
        acknowledged.OnDone(8); // 7's values are not durable yet

        Assert.Equal(6u, acknowledged.Through);
    }

    [Fact]
    public void OnDone_HoleNeverFilled_GivenUpAfterMaxAheadSoTheRestIsNotHeldBack()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.OnHanded(1);
        for (uint s = 2; s <= AcknowledgedSequence.MaxAhead + 2; s++)
        {
            acknowledged.OnDone(s);
        }

        Assert.Equal((uint)AcknowledgedSequence.MaxAhead + 2, acknowledged.Through);
    }

    [Fact]
    public void Reset_Zero_BaseUnknownUntilFirstHanded()
    {
        var acknowledged = new AcknowledgedSequence();
        acknowledged.Reset(50);
        acknowledged.Reset(0);
        acknowledged.OnHanded(100);

        Assert.Equal(99u, acknowledged.Through);
    }
}
