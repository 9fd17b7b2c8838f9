namespace Telemetry.NodeRedAnchor.Tests;

public sealed class NodeRedRunOptionsTests
{
    private static readonly NodeRedRunOptions Valid = new()
    {
        OpcUaEndpoint = "opc.tcp://127.0.0.1:4840",
        NodeIds = ["nsu=urn:telemetry:plc;s=Load.Item00000"],
        InfluxUrl = new Uri("http://127.0.0.1:8086/"),
    };

    [Fact]
    public void Validate_Defaults_Passes() => Valid.Validate();

    [Theory]
    [InlineData("http://127.0.0.1:4840")]
    [InlineData("127.0.0.1:4840")]
    public void Validate_NotOpcTcp_ThrowsNamingEndpoint(string endpoint)
    {
        var ex = Assert.Throws<ArgumentException>(() => (Valid with { OpcUaEndpoint = endpoint }).Validate());
        Assert.Equal("OpcUaEndpoint", ex.ParamName);
    }

    [Fact]
    public void Validate_BothNodeIdsAndBrowseRoot_Throws() =>
        Assert.Equal("NodeIds", Assert.Throws<ArgumentException>(() => (Valid with { BrowseRoot = "nsu=urn:telemetry:plc;s=Load" }).Validate()).ParamName);

    [Fact]
    public void Validate_NeitherNodeIdsNorBrowseRoot_Throws() =>
        Assert.Equal("NodeIds", Assert.Throws<ArgumentException>(() => (Valid with { NodeIds = [] }).Validate()).ParamName);

    [Fact]
    public void Validate_EmptyNodeId_ThrowsNamingIndex() =>
        Assert.Contains("NodeIds[1]", Assert.Throws<ArgumentException>(() => (Valid with { NodeIds = ["i=85", " "] }).Validate()).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("bad name")]
    [InlineData("x\"; DROP DATABASE y")]
    [InlineData("")]
    public void Validate_UnsafeMeasurement_ThrowsNamingIt(string measurement) =>
        Assert.Equal("Measurement", Assert.Throws<ArgumentException>(() => (Valid with { Measurement = measurement }).Validate()).ParamName);

    [Fact]
    public void Validate_HttpsInflux_Throws() =>
        Assert.Equal("InfluxUrl", Assert.Throws<ArgumentException>(() => (Valid with { InfluxUrl = new Uri("https://127.0.0.1:8086/") }).Validate()).ParamName);

    [Fact]
    public void Validate_ZeroDuration_Throws() =>
        Assert.Equal("Duration", Assert.Throws<ArgumentOutOfRangeException>(() => (Valid with { Duration = TimeSpan.Zero }).Validate()).ParamName);

    [Fact]
    public void Validate_ZeroSamplingInterval_Throws() =>
        Assert.Equal("SamplingInterval", Assert.Throws<ArgumentOutOfRangeException>(() => (Valid with { SamplingInterval = TimeSpan.Zero }).Validate()).ParamName);

    [Fact]
    public void Locate_FolderWithoutAnchorFiles_ThrowsNamingTheMissingFile()
    {
        using var dir = new Telemetry.Testing.TempDirectory("anchor");

        var ex = Assert.Throws<FileNotFoundException>(() => AnchorInstall.Locate(dir.Path));

        Assert.Contains("install.sh", ex.Message, StringComparison.Ordinal);
    }
}
