using Telemetry.EdgeAgent.Tests.Fixtures;

namespace Telemetry.EdgeAgent.Tests;

public class CommandLineTests
{
    [Fact]
    public async Task Version_Printed_ExitZero()
    {
        var (code, output) = await EdgeAgentProcess.RunToEndAsync("--version");
        Assert.Equal(0, code);
        Assert.StartsWith("telemetry-edge ", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ClearErrorAndUsage_ExitTwo()
    {
        var (code, output) = await EdgeAgentProcess.RunToEndAsync("fly");
        Assert.Equal(2, code);
        Assert.Contains("Unknown command 'fly'", output, StringComparison.Ordinal);
        Assert.Contains("telemetry-edge demo", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_MisspelledOption_RefusedByName()
    {
        var (code, output) = await EdgeAgentProcess.RunToEndAsync("demo", "--prot", "9000");
        Assert.Equal(2, code);
        Assert.Contains("--prot", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_BadPort_RefusedWithRange()
    {
        var (code, output) = await EdgeAgentProcess.RunToEndAsync("demo", "--port", "99999");
        Assert.Equal(2, code);
        Assert.Contains("--port '99999'", output, StringComparison.Ordinal);
    }
}
