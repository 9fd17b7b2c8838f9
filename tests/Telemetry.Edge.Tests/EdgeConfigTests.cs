using Telemetry.Edge.Configuration;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;

namespace Telemetry.Edge.Tests;

public class EdgeConfigTests
{
    private const string Valid = """
        edge:
          id: edge-1
          site: plant-a
          data_dir: /tmp/x
        web:
          listen: 127.0.0.1:9090
        spool:
          max_disk: 512MiB
          when_full: reject-new
        datacenter:
          kind: influxdb1
          url: http://127.0.0.1:8086
          database: plant
          token: { env: TOKEN }
        sources:
          - name: sim
            type: simulator
            interval: 500ms
            machines:
              - { name: cnc-01, profile: cnc-mill, area: machining, line: line-1 }
              - { name: press-01, profile: hydraulic-press }
        """;

    private static string? Env(string name) => name == "TOKEN" ? "s3cret" : null;

    [Fact]
    public void Parse_ValidConfig_EverySettingRead()
    {
        var config = EdgeConfigLoader.Parse(Valid, "edge.yaml", Env);
        Assert.Equal("edge-1", config.EdgeId);
        Assert.Equal("plant-a", config.Site);
        Assert.Equal(9090, config.WebListen.Port);
        Assert.Equal(512L << 20, config.Spool.MaxDiskBytes);
        Assert.Equal(SpoolFullPolicy.RejectNew, config.Spool.WhenFull);
        Assert.Equal(DatacenterKind.InfluxDb1, config.Datacenter!.Kind);
        Assert.Equal("s3cret", config.Datacenter.Token);
        Assert.Equal("edge-1", config.Datacenter.EdgeId);
        var sim = Assert.IsType<SimulatorSourceConfig>(Assert.Single(config.Sources));
        Assert.Equal(TimeSpan.FromMilliseconds(500), sim.Interval);
        Assert.Equal(["cnc-01", "press-01"], sim.Machines.Select(m => m.Name));
        Assert.Equal(20, sim.Machines[0].ProfileLocation.Line);
    }

    public static TheoryData<string, string, string, string> BrokenConfigs => new()
    {
        // name, replace this, with this, expected message start ("file:line:col: key: ...") fragment
        { "unknown top-level key", "web:\n", "webb:\n", "edge.yaml:5:1: webb: unknown key" },
        { "unknown edge key", "  site: plant-a\n", "  site: plant-a\n  sight: x\n", "edge.yaml:4:3: edge.sight: unknown key" },
        { "missing edge id", "  id: edge-1\n", "", "edge.yaml:1:1: edge: 'id' is missing" },
        { "missing site", "  site: plant-a\n", "", "edge: 'site' is missing" },
        { "site with a space", "site: plant-a", "site: plant a", "edge.yaml:3:9: edge.site: 'plant a' is not a valid name" },
        { "listen without port", "listen: 127.0.0.1:9090", "listen: 127.0.0.1", "edge.yaml:6:11: web.listen:" },
        { "listen garbage", "listen: 127.0.0.1:9090", "listen: everywhere", "web.listen: 'everywhere' is not an address:port" },
        { "size without unit sense", "max_disk: 512MiB", "max_disk: lots", "edge.yaml:8:13: spool.max_disk: 'lots' is not a size" },
        { "size too small", "max_disk: 512MiB", "max_disk: 1KiB", "spool.max_disk: 1KiB is out of range" },
        { "bad full policy", "when_full: reject-new", "when_full: panic", "edge.yaml:9:14: spool.when_full: 'panic' is not one of: drop-oldest, reject-new" },
        { "bad datacenter kind", "kind: influxdb1", "kind: mysql", "edge.yaml:11:9: datacenter.kind: 'mysql' is not one of" },
        { "bad url", "url: http://127.0.0.1:8086", "url: 127.0.0.1:8086", "edge.yaml:12:8: datacenter.url: '127.0.0.1:8086' is not a valid URL" },
        { "ftp url", "url: http://127.0.0.1:8086", "url: ftp://host/", "datacenter.url: 'ftp://host/' is not a valid URL" },
        { "influx1 without database", "  database: plant\n", "", "edge.yaml:10:1: datacenter: An InfluxDB 1.x target needs a database." },
        { "inline token", "token: { env: TOKEN }", "token: abc", "edge.yaml:14:10: datacenter.token: put secrets in an environment variable" },
        { "unset env token", "token: { env: TOKEN }", "token: { env: NOPE }", "datacenter.token.env: the environment variable NOPE is not set" },
        { "missing token file", "token: { env: TOKEN }", "token: { file: /nonexistent/token }", "datacenter.token.file: cannot read /nonexistent/token" },
        { "unknown datacenter key", "  database: plant\n", "  database: plant\n  databse: x\n", "datacenter.databse: unknown key" },
        { "bad in-flight", "  database: plant\n", "  database: plant\n  max_in_flight: 0\n", "datacenter.max_in_flight: '0' is not a whole number from 1 to 64" },
        { "bad timeout", "  database: plant\n", "  database: plant\n  timeout: 30\n", "datacenter.timeout: '30' is not a duration" },
        { "probe interval not a duration", "  database: plant\n", "  database: plant\n  max_probe_interval: often\n", "edge.yaml:14:23: datacenter.max_probe_interval: 'often' is not a duration" },
        { "probe interval too short", "  database: plant\n", "  database: plant\n  max_probe_interval: 100ms\n", "datacenter.max_probe_interval: 100ms is out of range" },
        { "probe interval too long", "  database: plant\n", "  database: plant\n  max_probe_interval: 2h\n", "datacenter.max_probe_interval: 2h is out of range" },
        { "sources not a list", "sources:\n  - name: sim", "sources: sim\nx:\n  - name: sim", "edge.yaml:15:10: sources: expected a list" },
        { "source without type", "    type: simulator\n", "", "edge.yaml:16:5: sources[0]: 'type' is missing" },
        { "unknown source type", "type: simulator", "type: modbus", "edge.yaml:17:11: sources[0].type: 'modbus' is not a source type" },
        { "bad interval", "interval: 500ms", "interval: 1x", "edge.yaml:18:15: sources[0].interval: '1x' is not a duration" },
        { "interval too short", "interval: 500ms", "interval: 1ms", "sources[0].interval: 1ms is out of range" },
        { "machine without profile", "{ name: press-01, profile: hydraulic-press }", "{ name: press-01 }", "edge.yaml:21:9: sources[0].machines[1]: 'profile' is missing" },
        { "duplicate machine", "{ name: press-01, profile: hydraulic-press }", "{ name: cnc-01, profile: hydraulic-press }", "sources[0].machines[1].name: machine 'cnc-01' is already defined at line 20" },
        { "unknown machine key", "{ name: press-01, profile: hydraulic-press }", "{ name: press-01, profil: x, profile: hydraulic-press }", "sources[0].machines[1].profil: unknown key" },
        { "empty machine list", "    machines:\n      - { name: cnc-01, profile: cnc-mill, area: machining, line: line-1 }\n      - { name: press-01, profile: hydraulic-press }", "    machines: []", "sources[0]: machines: the list is empty" },
        { "broken yaml", "web:\n  listen", "web:\n listen: [\n", "edge.yaml:" },
        { "tab indentation", "  site: plant-a", "\tsite: plant-a", "this is not valid YAML" },
        { "section given a value", "web:\n  listen: 127.0.0.1:9090\n", "web: 8080\n", "edge.yaml:5:6: web: expected a section" },
        { "bad log format", "web:\n", "log: { format: xml }\nweb:\n", "edge.yaml:5:16: log.format: 'xml' is not one of: auto, text, json, systemd" },
        { "unknown log key", "web:\n", "log: { levle: debug }\nweb:\n", "edge.yaml:5:8: log.levle: unknown key" },
        { "bad speed", "interval: 500ms", "interval: 500ms\n    speed: fast", "sources[0].speed: 'fast' is not a number" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Parse_BrokenConfig_RefusedWithFileLineAndKey(string name, string from, string to, string expected)
    {
        Assert.Contains(from, Valid, StringComparison.Ordinal);
        var yaml = Valid.Replace(from, to, StringComparison.Ordinal);
        var ex = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(yaml, "edge.yaml", Env));
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{name}: got '{ex.Message}'");
        Assert.StartsWith("edge.yaml:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MaxProbeInterval_SetsTheBreakersLongestBreak()
    {
        var config = EdgeConfigLoader.Parse(Valid.Replace("  database: plant\n", "  database: plant\n  max_probe_interval: 2s\n", StringComparison.Ordinal), "edge.yaml", Env);
        Assert.Equal(TimeSpan.FromSeconds(2), config.Datacenter!.MaxProbeInterval);
    }

    [Fact]
    public void Parse_NoMaxProbeInterval_DefaultFiveSeconds()
    {
        var config = EdgeConfigLoader.Parse(Valid, "edge.yaml", Env);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Datacenter!.MaxProbeInterval);
    }

    [Fact]
    public void Parse_LogSection_FormatAndLevelRead()
    {
        var config = EdgeConfigLoader.Parse(Valid.Replace("web:\n", "log: { format: json, level: warning }\nweb:\n", StringComparison.Ordinal), "edge.yaml", Env);
        Assert.Equal(new LogSettings(LogFormat.Json, Microsoft.Extensions.Logging.LogLevel.Warning), config.Log);
        Assert.Equal(LogFormat.Auto, EdgeConfigLoader.Parse(Valid, "edge.yaml", Env).Log.Format);
    }

    [Fact]
    public void LoadFile_Missing_SaysHowToCreateOne()
    {
        var ex = Assert.Throws<ConfigException>(() => EdgeConfigLoader.LoadFile("/nonexistent/edge.yaml"));
        Assert.Contains("telemetry-edge init", ex.Message, StringComparison.Ordinal);
    }
}
