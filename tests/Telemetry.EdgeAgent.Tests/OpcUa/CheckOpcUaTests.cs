using Telemetry.EdgeAgent.Commands;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.EdgeAgent.Tests.OpcUa;

/// <summary>`telemetry-edge check` (run in process) with an OPC UA source: reachable, and stopped.</summary>
public sealed class CheckOpcUaTests
{
    [Fact]
    public async Task Check_PlcRunning_PrintsSecurityTagCountAndValues()
    {
        await using var plc = await OpcUaPlcPeer.StartAsync();
        using var dir = new TempDirectory("edge-check-opcua");

        var (code, output) = await CheckAsync(dir, plc.EndpointUrl);

        Assert.True(code == 0, output);
        Assert.Matches(@"source press-plc \(opcua\)\s+opc\.tcp://127\.0\.0\.1:\d+\s+ok\s+None\s+4\s+\d+ ms\s+press-01/", output);
    }

    [Fact]
    public async Task Check_PlcStopped_NamesItAndHowToFix()
    {
        var plc = await OpcUaPlcPeer.StartAsync();
        await plc.DisposeAsync(); // stopped, and waited for: nothing listens on its port any more
        using var dir = new TempDirectory("edge-check-opcua-down");

        var (code, output) = await CheckAsync(dir, plc.EndpointUrl);

        Assert.Equal(1, code);
        Assert.Matches(@"source press-plc \(opcua\)\s+opc\.tcp://127\.0\.0\.1:\d+\s+FAILED", output);
        Assert.Contains($"problem: the PLC at opc.tcp://127.0.0.1:{plc.Port} is not reachable: connection refused by 127.0.0.1:{plc.Port}", output, StringComparison.Ordinal);
        Assert.Contains("fix:     Nothing listens on", output, StringComparison.Ordinal);
        Assert.Contains("Check that the PLC is powered and its OPC UA server is enabled.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_PlcOffersOnlySecureEndpoints_SaysSecurityIsRequired()
    {
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions { SecureOnly = true });
        using var dir = new TempDirectory("edge-check-opcua-secure");

        var (code, output) = await CheckAsync(dir, plc.EndpointUrl);

        Assert.Equal(1, code);
        Assert.Matches(@"source press-plc \(opcua\)\s+opc\.tcp://127\.0\.0\.1:\d+\s+FAILED\s+required by the PLC", output);
        Assert.Contains("BadSecurityPolicyRejected", output, StringComparison.Ordinal);
        Assert.Contains("fix:     The PLC offers only signed/encrypted endpoints", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NodeNotOnPlc_FailsNamingTheEntry()
    {
        await using var plc = await OpcUaPlcPeer.StartAsync();
        using var dir = new TempDirectory("edge-check-opcua-node");

        var (code, output) = await CheckAsync(dir, plc.EndpointUrl, "      - { path: Objects/Machines/Press1/Nope, machine: press-01 }\n");

        Assert.Equal(1, code);
        Assert.Contains("1 configured entry not found on the PLC", output, StringComparison.Ordinal);
        Assert.Contains("path Objects/Machines/Press1/Nope: BadNoMatch", output, StringComparison.Ordinal);
        Assert.Contains($"fix:     Run `telemetry-edge browse {plc.EndpointUrl}`", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> CheckAsync(TempDirectory dir, string endpoint, string extraNodes = "")
    {
        var path = dir.Combine("edge.yaml");
        await File.WriteAllTextAsync(path, $"""
            edge: {"{"} id: edge-check, site: plant-check, data_dir: {dir.Combine("data")} {"}"}
            sources:
              - name: press-plc
                type: opcua
                endpoint: {endpoint}
                machine: press-01
                nodes:
                  - node: "nsu=urn:telemetry:plc;s=Counter"
                  - browse: Objects/Machines/Press1

            """ + extraNodes);
        var output = new StringWriter();
        var code = await ConfigCommands.CheckAsync(CommandOptions.Parse(["--config", path, "--timeout", "5"]), output, CancellationToken.None);
        return (code, output.ToString());
    }
}
