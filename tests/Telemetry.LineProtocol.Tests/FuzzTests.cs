using System.Buffers;
using Telemetry.Benchmarks.LineProtocol;
using Telemetry.LineProtocol;
using Xunit.Abstractions;

namespace Telemetry.LineProtocol.Tests;

public class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void TryReadLine_20000RandomInputs_OnlyLineProtocolExceptionEscapes()
    {
        var stats = LineProtocolFuzzer.Run(seed: 424242, count: 20_000);
        output.WriteLine($"{stats}");
        Assert.Equal(20_000, stats.Inputs);
        Assert.True(stats.Rejected > 1000, $"only {stats.Rejected} inputs were rejected: the fuzzer is too gentle");
        Assert.True(stats.LinesRead > 1000, $"only {stats.LinesRead} lines were read: the fuzzer is too harsh");
    }
}
