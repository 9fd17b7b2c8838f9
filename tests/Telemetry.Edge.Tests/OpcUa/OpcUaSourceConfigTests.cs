using System.Reflection;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.Hosting;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;

namespace Telemetry.Edge.Tests.OpcUa;

public class OpcUaSourceConfigTests
{
    private const string Valid = """
        edge: { id: edge-1, site: plant-a, data_dir: /tmp/x }
        sources:
          - name: press-plc
            type: opcua
            endpoint: opc.tcp://127.0.0.1:4840
            security: none
            username: operator
            password: { env: PLC_PASSWORD }
            publishing_interval: 500ms
            sampling_interval: 100ms
            queue_size: 20
            deadband: 0.5
            area: press-shop
            machine: press-01
            nodes:
              - node: nsu=urn:telemetry:machines;s=Press1.Force
                tag: force
              - path: Objects/Machines/Press1/DieTemperature
                deadband: 2%
              - browse: Objects/Machines/Oven1
                depth: 2
                machine: oven-01
                sampling_interval: 1s
        """;

    private static string? Env(string name) => name == "PLC_PASSWORD" ? "secret" : null;

    [Fact]
    public void Parse_ValidOpcUaSource_EverySettingRead()
    {
        var config = EdgeConfigLoader.Parse(Valid, "edge.yaml", Env);
        var source = Assert.IsType<OpcUaSourceConfig>(Assert.Single(config.Sources));
        var options = source.Options;
        Assert.Equal(("press-plc", "plant-a", "opc.tcp://127.0.0.1:4840"), (options.Name, options.Site, options.EndpointUrl));
        Assert.Equal(OpcUaSecurity.None, options.Security);
        Assert.Equal(new UserNameIdentity("operator", "secret"), options.Identity);
        Assert.Equal((TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100), 20u), (options.PublishingInterval, options.SamplingInterval, options.QueueSize));
        Assert.Equal(new OpcUaDeadband(false, 0.5), options.Deadband);
        Assert.Equal(3, options.Nodes.Count);

        var byId = options.Nodes[0];
        Assert.Equal(OpcUaNodeSelector.NodeId, byId.Selector);
        Assert.Equal(("urn:telemetry:machines", "s=Press1.Force"), (byId.NodeId.NamespaceUri, byId.NodeId.NodeId.ToString()));
        Assert.Equal(("press-shop", "", "press-01", "force"), (byId.Area, byId.Line, byId.Machine, byId.Tag));
        Assert.StartsWith("edge.yaml:16 sources[0].nodes[0]", byId.Origin, StringComparison.Ordinal);

        var byPath = options.Nodes[1];
        Assert.Equal(OpcUaNodeSelector.BrowsePath, byPath.Selector);
        Assert.Equal(["Objects", "Machines", "Press1", "DieTemperature"], byPath.Path);
        Assert.Null(byPath.Tag);
        Assert.Equal(new OpcUaDeadband(true, 2), byPath.Deadband);

        var rule = options.Nodes[2];
        Assert.Equal(OpcUaNodeSelector.BrowseRule, rule.Selector);
        Assert.Equal((2, "oven-01", TimeSpan.FromSeconds(1)), (rule.Depth, rule.Machine, rule.SamplingInterval));
    }

    [Fact]
    public void Parse_AnonymousMinimalSource_Defaults()
    {
        var config = EdgeConfigLoader.Parse("""
            edge: { id: edge-1, site: plant-a }
            sources:
              - name: plc
                type: opcua
                endpoint: opc.tcp://plc-7
                nodes:
                  - { browse: Objects/Line1, machine: line-1 }
            """, "edge.yaml", Env);
        var options = Assert.IsType<OpcUaSourceConfig>(Assert.Single(config.Sources)).Options;
        Assert.Same(UserIdentity.Anonymous, options.Identity);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), 10u, OpcUaDeadband.None), (options.PublishingInterval, options.SamplingInterval, options.QueueSize, options.Deadband));
        Assert.Equal(OpcUaSourceOptions.MaxRuleDepth, options.Nodes[0].Depth);
    }

    [Fact]
    public void Fingerprint_SameSettingsElsewhereInFile_EqualAndPasswordChange_Differs()
    {
        var first = EdgeConfigLoader.Parse(Valid, "edge.yaml", Env).Sources[0];
        var moved = EdgeConfigLoader.Parse(Valid.Replace("sources:\n", "# a comment\nsources:\n", StringComparison.Ordinal), "edge.yaml", Env).Sources[0];
        var otherPassword = EdgeConfigLoader.Parse(Valid, "edge.yaml", _ => "other").Sources[0];

        Assert.Equal(SourceFingerprint.Of(first), SourceFingerprint.Of(moved));
        Assert.NotEqual(SourceFingerprint.Of(first), SourceFingerprint.Of(otherPassword));
        Assert.DoesNotContain("secret", SourceFingerprint.Of(first), StringComparison.Ordinal);
    }

    [Fact]
    public void ExampleConfig_OpcUaBlockUncommented_Loads()
    {
        var root = typeof(OpcUaSourceConfigTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;
        var lines = File.ReadAllLines(Path.Combine(root, "edge", "config", "edge.example.yaml"));
        var start = Array.IndexOf(lines, "  # - name: press-line-plc");
        Assert.True(start > 0, "the example names an OPC UA source");
        var block = lines.Skip(start).TakeWhile(l => l.StartsWith("  #", StringComparison.Ordinal)).Select(l => "  " + l[4..]);

        var config = EdgeConfigLoader.Parse("edge: { id: e, site: s }\nsources:\n" + string.Join('\n', block), "edge.example.yaml", _ => "pw");

        var options = Assert.IsType<OpcUaSourceConfig>(Assert.Single(config.Sources)).Options;
        Assert.Equal(3, options.Nodes.Count);
        Assert.Equal("opc.tcp://10.0.0.5:4840", options.EndpointUrl);
    }

    public static TheoryData<string, string, string, string> BrokenConfigs => new()
    {
        { "endpoint not opc.tcp", "opc.tcp://127.0.0.1:4840", "http://127.0.0.1:4840", "edge.yaml:5:15: sources[0].endpoint: 'http://127.0.0.1:4840' is not a valid URL; expected opc.tcp://host:port" },
        { "security as a bare mode", "security: none", "security: sign-and-encrypt", "edge.yaml:6:15: sources[0].security: 'sign-and-encrypt' is not a security setting; expected none, or a section such as { mode: SignAndEncrypt, policy: Basic256Sha256 }" },
        { "security unknown", "security: none", "security: maybe", "edge.yaml:6:15: sources[0].security: 'maybe' is not a security setting" },
        { "password inline", "password: { env: PLC_PASSWORD }", "password: secret", "edge.yaml:8:15: sources[0].password: put secrets in an environment variable" },
        { "password env not set", "env: PLC_PASSWORD }", "env: NO_SUCH_VAR }", "edge.yaml:8:22: sources[0].password.env: the environment variable NO_SUCH_VAR is not set or empty" },
        { "username without password", "    password: { env: PLC_PASSWORD }\n", "", "edge.yaml:7:15: sources[0].username: a user name needs a password" },
        { "sampling interval without unit", "sampling_interval: 100ms", "sampling_interval: 100", "edge.yaml:10:24: sources[0].sampling_interval: '100' is not a duration" },
        { "queue size zero", "queue_size: 20", "queue_size: 0", "edge.yaml:11:17: sources[0].queue_size: '0' is not a whole number from 1 to 100000" },
        { "unknown source key", "    queue_size: 20", "    queue_sise: 20", "edge.yaml:11:5: sources[0].queue_sise: unknown key" },
        { "node id by namespace index", "node: nsu=urn:telemetry:machines;s=Press1.Force", "node: ns=2;s=Press1.Force", "edge.yaml:16:15: sources[0].nodes[0].node: 'ns=2;s=Press1.Force' names its namespace by index, which can change when the PLC restarts; write its namespace URI instead: nsu=<uri>;s=Press1.Force" },
        { "node id malformed", "node: nsu=urn:telemetry:machines;s=Press1.Force", "node: nsu=urn:x", "edge.yaml:16:15: sources[0].nodes[0].node: 'nsu=urn:x' is not an expanded node id" },
        { "unknown entry key", "        tag: force", "        tga: force", "edge.yaml:17:9: sources[0].nodes[0].tga: unknown key" },
        { "path not from Objects", "path: Objects/Machines/Press1/DieTemperature", "path: Machines/Press1/DieTemperature", "edge.yaml:18:15: sources[0].nodes[1].path: 'Machines/Press1/DieTemperature' must start at the Objects folder" },
        { "two selectors in one entry", "      - path: Objects/Machines/Press1/DieTemperature\n", "      - path: Objects/Machines/Press1/DieTemperature\n        node: nsu=urn:a;s=b\n", "edge.yaml:18:9: sources[0].nodes[1]: give only one of node:, path: or browse: per entry" },
        { "deadband over 100 percent", "deadband: 2%", "deadband: 200%", "edge.yaml:19:19: sources[0].nodes[1].deadband: '200%' is not a deadband" },
        { "duplicate tag", "        deadband: 2%\n", "        deadband: 2%\n        tag: force\n", "edge.yaml:20:14: sources[0].nodes[1].tag: tag press-01/force is already mapped at line 17" },
        { "depth on a path entry", "        tag: force\n", "        tag: force\n        depth: 2\n", "edge.yaml:18:16: sources[0].nodes[0].depth: depth only applies to browse: entries" },
        { "depth out of range", "depth: 2", "depth: 99", "edge.yaml:21:16: sources[0].nodes[2].depth: '99' is not a whole number from 1 to 16" },
        { "no machine anywhere", "    machine: press-01\n", "", "edge.yaml:15:9: sources[0].nodes[0]: 'machine' is missing" },
        { "nodes missing", "    nodes:\n", "    nodez:\n", "edge.yaml:3:5: sources[0]: 'nodes' is missing; expected a list of { node | path | browse, machine, tag } entries" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Parse_BrokenOpcUaSource_NamesLineAndKey(string what, string oldText, string newText, string expected)
    {
        Assert.Contains(oldText, Valid, StringComparison.Ordinal);
        var yaml = Valid.Replace(oldText, newText, StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(yaml, "edge.yaml", Env));

        Assert.True(error.Message.StartsWith(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
    }
}
