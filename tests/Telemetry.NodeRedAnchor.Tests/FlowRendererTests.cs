using System.Text.Json;
using System.Text.Json.Nodes;

namespace Telemetry.NodeRedAnchor.Tests;

public sealed class FlowRendererTests
{
    private static string TemplatePath => Path.Combine(AnchorInstall.Locate().Directory, "flow.template.json");

    [Fact]
    public void Render_AnchorTemplate_ReplacesEveryTokenWithTypedValues()
    {
        var json = FlowRenderer.Render(TemplatePath, "opc.tcp://127.0.0.1:4840", ["ns=3;s=Load.Item00000", "ns=3;s=Load.Item00001"], NodeRedSubscribeMode.Group, TimeSpan.FromMilliseconds(250), new Uri("http://127.0.0.1:18086/"), "bench", "nodered_anchor");

        Assert.DoesNotContain("${", json, StringComparison.Ordinal);
        var nodes = JsonNode.Parse(json)!.AsArray();
        JsonNode Node(string id) => nodes.Single(n => (string?)n!["id"] == id)!;
        Assert.Equal("opc.tcp://127.0.0.1:4840", (string?)Node("anchor.endpoint")["endpoint"]);
        Assert.Equal("127.0.0.1", (string?)Node("anchor.influx")["hostname"]);
        Assert.Equal("18086", (string?)Node("anchor.influx")["port"]);
        Assert.Equal("bench", (string?)Node("anchor.influx")["database"]);
        Assert.Equal("nodered_anchor", (string?)Node("anchor.out")["measurement"]);
        Assert.Equal(250, (long)Node("anchor.client")["time"]!);
        Assert.Equal("group", (string?)Node("anchor.tab")["env"]![0]!["value"]);
        var ids = JsonSerializer.Deserialize<string[]>((string)Node("anchor.start")["payload"]!);
        Assert.Equal(new[] { "ns=3;s=Load.Item00000", "ns=3;s=Load.Item00001" }, ids!);
    }

    [Fact]
    public void Render_UnknownToken_ThrowsNamingTemplateAndPath()
    {
        var ex = Assert.Throws<FormatException>(() => FlowRenderer.Render("t.json", """[{"id":"a","x":"${NOPE}"}]""", new Dictionary<string, JsonNode>()));

        Assert.Contains("t.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("$[0].x", ex.Message, StringComparison.Ordinal);
        Assert.Contains("${NOPE}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ValueWithoutToken_ThrowsNamingTheToken()
    {
        var values = new Dictionary<string, JsonNode> { ["A"] = JsonValue.Create(1), ["B"] = JsonValue.Create(2) };

        var ex = Assert.Throws<FormatException>(() => FlowRenderer.Render("t.json", """[{"a":"${A}"}]""", values));

        Assert.Contains("${B}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_BrokenJson_ThrowsNamingLine()
    {
        var ex = Assert.Throws<FormatException>(() => FlowRenderer.Render("t.json", "[\n{\"a\": }\n]", new Dictionary<string, JsonNode>()));

        Assert.StartsWith("t.json:2:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_TokenTwice_ReplacesBoth()
    {
        var values = new Dictionary<string, JsonNode> { ["A"] = JsonValue.Create("x") };

        var json = FlowRenderer.Render("t.json", """[{"a":"${A}","b":["${A}", "keep ${A}"]}]""", values);

        Assert.Equal("""[{"a":"x","b":["x","keep ${A}"]}]""", json);
    }
}
