using Telemetry.Harness.Check;

namespace Telemetry.Harness.Tests;

public sealed class IdentityCheckerTests
{
    private static readonly (string, string)[] Series = [("m000", "t000"), ("m000", "t001")];

    private static long TimeOf(long tick) => 1_000_000 + (tick * 100);

    [Fact]
    public void Result_EveryTickOnce_NothingLostNothingDuplicated()
    {
        var checker = new IdentityChecker(Series, 10, 19, TimeOf);
        foreach (var (machine, tag) in Series)
        {
            for (var t = 10; t <= 19; t++)
            {
                checker.Add(new StoredPoint(machine, tag, TimeOf(t), t));
            }
        }

        var result = checker.Result([]);

        Assert.Equal(20, result.Expected);
        Assert.Equal(20, result.Stored);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicated);
    }

    [Fact]
    public void Result_MissingRepeatedAndOffGridPoints_CountedExactly()
    {
        var checker = new IdentityChecker(Series, 10, 19, TimeOf);
        for (var t = 10; t <= 19; t++)
        {
            if (t != 12 && t != 13)
            {
                checker.Add(new StoredPoint("m000", "t000", TimeOf(t), t));
            }

            checker.Add(new StoredPoint("m000", "t001", TimeOf(t), t));
        }

        checker.Add(new StoredPoint("m000", "t001", TimeOf(15), 15)); // twice
        checker.Add(new StoredPoint("m000", "t001", TimeOf(15) + 1, 16)); // wrong time for its tick
        checker.Add(new StoredPoint("m999", "t000", TimeOf(15), 15)); // not a load series
        checker.Add(new StoredPoint("m000", "t000", TimeOf(30), 30)); // outside the window

        var result = checker.Result([]);

        Assert.Equal(2, result.Lost);
        Assert.Equal(1, result.Duplicated);
        Assert.Equal(1, result.Foreign);
        Assert.Contains("m000/t000@12", result.LostExamples, StringComparison.Ordinal);
    }

    [Fact]
    public void Result_MissingInsideNotObservableWindow_NotCountedAsLost()
    {
        var checker = new IdentityChecker(Series, 10, 19, TimeOf);
        foreach (var (machine, tag) in Series)
        {
            for (var t = 10; t <= 19; t++)
            {
                if (t is < 14 or > 16)
                {
                    checker.Add(new StoredPoint(machine, tag, TimeOf(t), t));
                }
            }
        }

        var result = checker.Result([new TickWindow(14, 16, "PLC down")]);

        Assert.Equal(0, result.Lost);
        Assert.Equal(6, result.NotObserved);
    }

    [Fact]
    public void MissingRuns_WholeLoadGapAndOneItem_NamesEachRunWithItsItemCount()
    {
        var checker = new IdentityChecker(Series, 10, 19, TimeOf);
        for (var t = 10; t <= 19; t++)
        {
            if (t is < 12 or > 14)
            {
                checker.Add(new StoredPoint("m000", "t000", TimeOf(t), t));
                if (t != 17)
                {
                    checker.Add(new StoredPoint("m000", "t001", TimeOf(t), t));
                }
            }
        }

        var runs = checker.MissingRuns();

        Assert.StartsWith("ticks 12..14 (", runs, StringComparison.Ordinal);
        Assert.Contains("3 ticks) 2 of 2 items", runs, StringComparison.Ordinal);
        Assert.Contains("ticks 17..17 (", runs, StringComparison.Ordinal);
        Assert.EndsWith("1 ticks) 1 of 2 items", runs, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRuns_NothingMissing_None()
    {
        var checker = new IdentityChecker(Series, 10, 10, TimeOf);
        checker.Add(new StoredPoint("m000", "t000", TimeOf(10), 10));
        checker.Add(new StoredPoint("m000", "t001", TimeOf(10), 10));

        Assert.Equal("none", checker.MissingRuns());
    }
}
