using Telemetry.Harness.Check;
using Telemetry.Harness.Rig;

namespace Telemetry.Harness.Tests;

public sealed class DropAccountTests
{
    private static readonly (string, string)[] Series = [("m000", "t000"), ("m000", "t001")];

    private static long TimeOf(long tick) => 1_000_000 + (tick * 100);

    private static long TickAt(long ms) => (ms - 1_000_000) / 100;

    /// <summary>Ticks 10..29 of both items stored, except <paramref name="missing"/> (of both).</summary>
    private static IdentityChecker StoreWithout(params long[] missing)
    {
        var checker = new IdentityChecker(Series, 10, 29, TimeOf);
        foreach (var (machine, tag) in Series)
        {
            for (var t = 10; t <= 29; t++)
            {
                if (!missing.Contains(t))
                {
                    checker.Add(new StoredPoint(machine, tag, TimeOf(t), t));
                }
            }
        }

        return checker;
    }

    [Fact]
    public void Of_LossInsideTheDroppedSpanAndInFlightSamplesStored_IsExact()
    {
        // the spool dropped ticks 14..19 (12 samples, records 5..10); ticks 14 and 15 had reached the store before the cut
        var checker = StoreWithout(16, 17, 18, 19);
        var result = checker.Result([]);
        SpoolDrop[] drops = [new(3, 10, 6, 12, TimeOf(14), TimeOf(19))];

        var account = DropAccount.Of(checker, result, 12, [], drops, [(7, 10)], TickAt);

        Assert.Equal(8, account.Lost);
        Assert.Equal(0, account.LostOutsideDrops);
        Assert.Equal(4, account.DroppedButStored);
        Assert.Equal(4, account.LedgerMissingRecords);
        Assert.Equal(0, account.LedgerMissingOutsideDrops);
        Assert.True(account.Exact);
    }

    [Fact]
    public void Of_LossOutsideTheDroppedSpan_IsNotExact()
    {
        var checker = StoreWithout(16, 17, 25);
        SpoolDrop[] drops = [new(3, 10, 6, 12, TimeOf(14), TimeOf(19))];

        var account = DropAccount.Of(checker, checker.Result([]), 12, [], drops, [], TickAt);

        Assert.Equal(2, account.LostOutsideDrops);
        Assert.False(account.Exact);
    }

    [Fact]
    public void Of_MoreLostThanDropped_IsNotExact()
    {
        var checker = StoreWithout(14, 15, 16, 17, 18, 19);
        SpoolDrop[] drops = [new(3, 10, 5, 10, TimeOf(14), TimeOf(19))];

        var account = DropAccount.Of(checker, checker.Result([]), 10, [], drops, [], TickAt);

        Assert.Equal(12, account.Lost);
        Assert.False(account.Exact);
    }

    [Fact]
    public void Of_LedgerMissesRecordsOfNoDroppedSegment_IsNotExact()
    {
        var checker = StoreWithout(16);
        SpoolDrop[] drops = [new(3, 10, 6, 12, TimeOf(14), TimeOf(19))];

        var account = DropAccount.Of(checker, checker.Result([]), 12, [], drops, [(9, 12)], TickAt);

        Assert.Equal(2, account.LedgerMissingOutsideDrops);
        Assert.False(account.Exact);
    }

    [Fact]
    public void Of_DropsListShorterThanTheCount_IsNotExact()
    {
        var checker = StoreWithout(16);
        SpoolDrop[] drops = [new(3, 10, 6, 12, TimeOf(14), TimeOf(19))];

        var account = DropAccount.Of(checker, checker.Result([]), 30, [], drops, [], TickAt);

        Assert.False(account.Complete);
        Assert.False(account.Exact);
        Assert.Contains("its list of drops holds only 12", account.ToString(), StringComparison.Ordinal);
    }
}
