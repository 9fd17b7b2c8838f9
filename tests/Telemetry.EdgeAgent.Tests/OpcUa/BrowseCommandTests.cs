using Telemetry.Edge.Configuration;
using Telemetry.EdgeAgent.Commands;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.EdgeAgent.Tests.OpcUa;

/// <summary>`telemetry-edge browse` (run in process) against the node-opcua simulated PLC.</summary>
public sealed class BrowseCommandTests : IClassFixture<OpcUaPlcFixture>
{
    private readonly OpcUaPlcFixture _plc;

    public BrowseCommandTests(OpcUaPlcFixture plc)
    {
        _plc = plc;
    }

    [Fact]
    public async Task Browse_Plc_PrintsTreeWithNodeIdsTypesAndValues()
    {
        var (code, output, error) = await BrowseAsync(_plc.Plc.EndpointUrl, "--depth", "3");

        Assert.True(code == 0, error);
        Assert.Contains("namespaces: 0=http://opcfoundation.org/UA/", output, StringComparison.Ordinal);
        Assert.Contains("\n  Machines/  nsu=urn:telemetry:machines;s=Machines", output, StringComparison.Ordinal);
        Assert.Contains("\n    Press1/  nsu=urn:telemetry:machines;s=Press1", output, StringComparison.Ordinal);
        Assert.Matches(@"\n      Force  nsu=urn:telemetry:machines;s=Press1\.Force  Double = -?\d", output);
        Assert.Contains("\n  PLC/  nsu=urn:telemetry:plc;s=PLC", output, StringComparison.Ordinal);
        Assert.Matches(@"\n    Counter  nsu=urn:telemetry:plc;s=Counter  UInt32 = \d+", output);
        Assert.Contains("String  nsu=urn:telemetry:plc;s=Scalars.String  String = \"Grüße 水\"", output, StringComparison.Ordinal);
        Assert.Contains("Server/  i=2253  (the server's own object", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browse_Snippet_PrintsSourceThatLoadsAsValidConfig()
    {
        var (code, output, error) = await BrowseAsync(_plc.Plc.EndpointUrl, "--snippet", "Objects/Machines/Press1");

        Assert.True(code == 0, error);
        Assert.Contains("- node: \"nsu=urn:telemetry:machines;s=Press1.Force\"", output, StringComparison.Ordinal);
        var config = EdgeConfigLoader.Parse("edge: { id: e, site: plant-a }\nsources:\n" + output, "snippet.yaml");
        var source = Assert.IsType<OpcUaSourceConfig>(Assert.Single(config.Sources));
        Assert.Equal(_plc.Plc.EndpointUrl, source.Options.EndpointUrl);
        Assert.Equal(["DieTemperature", "Force", "Strokes"], source.Options.Nodes.Select(n => n.Tag!).Order(StringComparer.Ordinal));
        Assert.All(source.Options.Nodes, n => Assert.Equal(("press1", "urn:telemetry:machines"), (n.Machine, n.NodeId.NamespaceUri)));
    }

    [Fact]
    public async Task Browse_SnippetOfMissingFolder_SaysWhatIsThere()
    {
        var (code, _, error) = await BrowseAsync(_plc.Plc.EndpointUrl, "--snippet", "Objects/Machines/Press9");

        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("no 'Press9' under Objects/Machines (it has: Mill1, Press1, Oven1)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browse_NothingListening_ClearErrorAndFixWithoutStackTrace()
    {
        var port = FreePort.Get();

        var (code, output, error) = await BrowseAsync($"opc.tcp://127.0.0.1:{port}");

        Assert.Equal(CommandLine.Failed, code);
        Assert.Empty(output);
        Assert.Contains($"cannot browse opc.tcp://127.0.0.1:{port}: the PLC at opc.tcp://127.0.0.1:{port} is not reachable: connection refused", error, StringComparison.Ordinal);
        Assert.Contains("fix: Nothing listens on", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Browse_BadUrl_UsageErrorNamingIt()
    {
        var error = Assert.Throws<CommandLineException>(() => BrowseAsync("http://plc:4840").GetAwaiter().GetResult());

        Assert.Equal("'http://plc:4840' is not an OPC UA endpoint URL; expected e.g. opc.tcp://10.0.0.5:4840.", error.Message);
    }

    [Fact]
    public void Arguments_UrlFirst_BecomesUrlOption()
    {
        var options = CommandOptions.Parse(BrowseCommand.Arguments(["browse", "opc.tcp://plc:4840", "--depth", "2"]));

        Assert.Equal("opc.tcp://plc:4840", options.GetString("url"));
        Assert.Equal(2, options.GetInt("depth", 3, 1, 16));
    }

    private static async Task<(int Code, string Output, string Error)> BrowseAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var options = CommandOptions.Parse(BrowseCommand.Arguments(["browse", .. args]));
        var code = await BrowseCommand.RunAsync(options, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
