using Telemetry.Edge.Configuration;
using Telemetry.Edge.Forwarding;

namespace Telemetry.Edge.Tests;

/// <summary>datacenter.backlog in edge.yaml: live first after an outage and the backlog's caps.</summary>
public class BacklogConfigTests
{
    private const string Yaml = """
        edge:
          id: edge-1
          site: plant-a
          data_dir: /tmp/x
        datacenter:
          kind: victoriametrics
          url: http://127.0.0.1:8428
          backlog:
            live_first: true
            lag: 5s
            max_samples_per_second: 20000
            max_bytes_per_second: 2MiB
        sources:
          - name: sim
            type: simulator
            machines:
              - { name: cnc-01, profile: cnc-mill }
        """;

    [Fact]
    public void Parse_BacklogSection_EverySettingRead()
    {
        var backlog = EdgeConfigLoader.Parse(Yaml, "edge.yaml", _ => null).Datacenter!.Backlog;
        Assert.True(backlog.LiveFirst);
        Assert.Equal(TimeSpan.FromSeconds(5), backlog.Lag);
        Assert.Equal(20_000, backlog.MaxSamplesPerSecond);
        Assert.Equal(2L << 20, backlog.MaxBytesPerSecond);
    }

    [Fact]
    public void Parse_NoBacklogSection_LiveFirstWithoutFixedCap()
    {
        var start = Yaml.IndexOf("  backlog:", StringComparison.Ordinal);
        var end = Yaml.IndexOf("sources:", StringComparison.Ordinal);
        var backlog = EdgeConfigLoader.Parse(Yaml.Remove(start, end - start), "edge.yaml", _ => null).Datacenter!.Backlog;
        Assert.Equal(new BacklogOptions(), backlog);
        Assert.True(backlog.LiveFirst);
        Assert.Null(backlog.MaxSamplesPerSecond);
        Assert.Null(backlog.MaxBytesPerSecond);
    }

    public static TheoryData<string, string, string> BrokenBacklogs => new()
    {
        // replace this, with this, expected message fragment ("file:line:col: key: ...")
        { "live_first: true", "live_first: maybe", "edge.yaml:9:17: datacenter.backlog.live_first: 'maybe' is not true or false." },
        { "lag: 5s", "lag: 5", "edge.yaml:10:10: datacenter.backlog.lag: '5' is not a duration" },
        { "lag: 5s", "lag: 10ms", "edge.yaml:10:10: datacenter.backlog.lag: 10ms is out of range" },
        { "max_samples_per_second: 20000", "max_samples_per_second: 0", "edge.yaml:11:29: datacenter.backlog.max_samples_per_second: '0' is not a whole number from 1" },
        { "max_samples_per_second: 20000", "max_samples_per_second: lots", "datacenter.backlog.max_samples_per_second: 'lots' is not a whole number" },
        { "max_bytes_per_second: 2MiB", "max_bytes_per_second: fast", "edge.yaml:12:27: datacenter.backlog.max_bytes_per_second: 'fast' is not a size" },
        { "max_bytes_per_second: 2MiB", "max_bytes_per_second: 10B", "datacenter.backlog.max_bytes_per_second: 10B is out of range" },
        { "lag: 5s", "lags: 5s", "edge.yaml:10:5: datacenter.backlog.lags: unknown key" },
        { "live_first: true", "live_first: false", "edge.yaml:8:3: datacenter.backlog: max_samples_per_second and max_bytes_per_second cap the backlog lane" },
        { "live_first: true", "live_first: [true]", "edge.yaml:9:5: datacenter.backlog.live_first: expected a single value" },
    };

    [Theory]
    [MemberData(nameof(BrokenBacklogs))]
    public void Parse_BrokenBacklog_RefusedWithFileLineAndKey(string from, string to, string expected)
    {
        Assert.Contains(from, Yaml, StringComparison.Ordinal);
        var ex = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(Yaml.Replace(from, to, StringComparison.Ordinal), "edge.yaml", _ => null));
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"got '{ex.Message}'");
    }

    [Fact]
    public void Parse_OldBacklogRateKey_RefusedAsUnknown()
    {
        var yaml = Yaml.Replace("  backlog:\n", "  backlog_rate: 5000\n  backlog:\n", StringComparison.Ordinal);
        var ex = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(yaml, "edge.yaml", _ => null));
        Assert.Contains("datacenter.backlog_rate: unknown key", ex.Message, StringComparison.Ordinal);
    }
}
