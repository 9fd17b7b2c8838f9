using Microsoft.Extensions.Time.Testing;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Loss;

namespace Telemetry.Ingest.Tests.Loss;

public sealed class LossLedgerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    private LossLedger Ledger() => new(new LossOptions { Grace = TimeSpan.FromMinutes(10) }, _time);

    [Fact]
    public void Record_ContiguousAndOutOfOrderRanges_NoGap()
    {
        var ledger = Ledger();
        ledger.Record("s", "e", 0, 9);
        ledger.Record("s", "e", 20, 29);
        ledger.Record("s", "e", 10, 19);

        Assert.Empty(ledger.Gaps());
        Assert.Equal(29, Assert.Single(ledger.Accounts()).HighestSequence);
    }

    [Fact]
    public void Record_Hole_MissingThenLostAfterGrace()
    {
        var ledger = Ledger();
        ledger.Record("s", "e", 0, 9);
        ledger.Record("s", "e", 15, 19);

        var gap = Assert.Single(ledger.Gaps());
        Assert.Equal((10, 14, false), (gap.FirstMissing, gap.LastMissing, gap.Lost));
        _time.Advance(TimeSpan.FromMinutes(11));
        gap = Assert.Single(ledger.Gaps());
        Assert.True(gap.Lost);
        Assert.Equal(5, Assert.Single(ledger.Accounts()).RecordsLost);
        Assert.Contains("site s, edge e: 5 spool record(s) lost (sequence 10-14)", gap.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Record_RangeSplitsHole_BothPartsKeepTheirAge()
    {
        var ledger = Ledger();
        ledger.Record("s", "e", 0, 0);
        ledger.Record("s", "e", 100, 100);
        _time.Advance(TimeSpan.FromMinutes(11));
        ledger.Record("s", "e", 50, 50);

        var gaps = ledger.Gaps();
        Assert.Equal(2, gaps.Count);
        Assert.All(gaps, g => Assert.True(g.Lost));
    }

    [Fact]
    public void Record_LateRangeFillsLostHole_NoLongerCounted()
    {
        var ledger = Ledger();
        ledger.Record("s", "e", 0, 9);
        ledger.Record("s", "e", 20, 29);
        _time.Advance(TimeSpan.FromMinutes(30));
        ledger.Record("s", "e", 10, 19);

        Assert.Empty(ledger.Gaps());
        Assert.Equal(0, Assert.Single(ledger.Accounts()).RecordsLost);
    }

    [Fact]
    public void Gaps_PerSite_OtherSitesNotShown()
    {
        var ledger = Ledger();
        ledger.Record("a", "e", 0, 0);
        ledger.Record("a", "e", 5, 5);
        ledger.Record("b", "e", 0, 0);
        ledger.Record("b", "e", 9, 9);

        Assert.All(ledger.Gaps("a"), g => Assert.Equal("a", g.Site));
        Assert.Single(ledger.Gaps("a"));
    }

    [Theory]
    [InlineData("0-9", true, 0, 9)]
    [InlineData("12-12", true, 12, 12)]
    [InlineData("9-0", false, 0, 0)]
    [InlineData("-1-5", false, 0, 0)]
    [InlineData("abc", false, 0, 0)]
    [InlineData("", false, 0, 0)]
    public void SpoolRangeHeader_TryParse(string text, bool ok, long first, long last)
    {
        Assert.Equal(ok, SpoolRangeHeader.TryParse(text, out var f, out var l));
        if (ok)
        {
            Assert.Equal((first, last), (f, l));
        }
    }
}
