namespace Telemetry.NodeRedAnchor.Tests;

public sealed class ParsingTests
{
    [Fact]
    public void ParseCpuSeconds_CommWithSpacesAndParens_SumsUtimeAndStime()
    {
        var stat = "4242 (node red) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 11 0 100 1000000 5000 18446744073709551615";

        Assert.Equal(3.25, ProcStat.ParseCpuSeconds(stat), 6);
    }

    [Fact]
    public void ParseCpuSeconds_Truncated_ThrowsFormatException() =>
        Assert.Throws<FormatException>(() => ProcStat.ParseCpuSeconds("4242 (node) S 1 2"));

    [Fact]
    public void ParseCpuSeconds_OwnProcess_IsPositive() =>
        Assert.True(ProcStat.CpuSeconds(Environment.ProcessId) > 0);

    [Fact]
    public void ParsePeakRssBytes_StatusLines_ReadsVmHwmInBytes() =>
        Assert.Equal(183_456L * 1024, ProcStat.ParsePeakRssBytes(["Name:\tnode", "VmPeak:\t 1413820 kB", "VmHWM:\t  183456 kB", "VmRSS:\t  159532 kB"]));

    [Fact]
    public void ParsePeakRssBytes_NoVmHwm_ThrowsFormatException() =>
        Assert.Throws<FormatException>(() => ProcStat.ParsePeakRssBytes(["Name:\tnode"]));

    [Fact]
    public void TryParseCounters_NodeRedLogLine_ReadsBoth()
    {
        Assert.True(NodeRedProcess.TryParseCounters("1 Dec 21:59:53 - [info] [function:stats to log] ANCHOR received=703 errors=1", out var received, out var errors, out var overflows));
        Assert.Equal(703, received);
        Assert.Equal(1, errors);
        Assert.Equal(0, overflows);
    }

    [Fact]
    public void TryParseCounters_LineWithOverflows_ReadsAllThree()
    {
        Assert.True(NodeRedProcess.TryParseCounters("2 Dec 04:12:47 - [info] [function:stats to log] ANCHOR received=3123 errors=0 overflows=2870", out var received, out var errors, out var overflows));
        Assert.Equal(3123, received);
        Assert.Equal(0, errors);
        Assert.Equal(2870, overflows);
    }

    [Theory]
    [InlineData("1 Dec 21:59:47 - [info] [function:one subscribe message per node id] ANCHOR subscribe-sent=100")]
    [InlineData("ANCHOR received=12")]
    [InlineData("ANCHOR received=x errors=0")]
    [InlineData("ANCHOR received=1 errors=0 overflows=")]
    [InlineData("ANCHOR received=1 errors=0 dropped=3")]
    [InlineData("Welcome to Node-RED")]
    public void TryParseCounters_OtherLine_ReturnsFalse(string line) =>
        Assert.False(NodeRedProcess.TryParseCounters(line, out _, out _, out _));

    [Theory]
    [InlineData(100, 100, 100, 15_000, 15_000)]  // 100 items change every 100 ms, sampled every 100 ms, 15 s
    [InlineData(100, 100, 1000, 15_000, 1_500)]  // sampled slower than they change: one per sampling interval
    [InlineData(1000, 1000, 100, 10_000, 10_000)] // sampled faster than they change: one per change
    [InlineData(10, 100, 0, 1_050, 105)]
    public void ExpectedSamples_ChangeAndSamplingPeriods_UsesTheSlowerOne(int items, int changeMs, int samplingMs, int durationMs, long expected) =>
        Assert.Equal(expected, NodeRedResult.ExpectedSamples(items, TimeSpan.FromMilliseconds(changeMs), TimeSpan.FromMilliseconds(samplingMs), TimeSpan.FromMilliseconds(durationMs)));
}
