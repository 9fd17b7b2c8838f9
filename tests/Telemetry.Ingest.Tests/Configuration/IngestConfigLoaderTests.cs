using Telemetry.Ingest.Configuration;
using Xunit;

namespace Telemetry.Ingest.Tests.Configuration;

public sealed class IngestConfigLoaderTests
{
    [Fact]
    public void Load_VictoriaMetricsStore_ReadsKindAndUrl()
    {
        var options = IngestConfigLoader.Load(
            "listen: [http://127.0.0.1:0]\nstore: { kind: victoriametrics, url: http://127.0.0.1:8428 }\n",
            "ingest.yaml");

        Assert.Equal(StoreKind.VictoriaMetrics, options.Store.Kind);
        Assert.Equal(new Uri("http://127.0.0.1:8428"), options.Store.Url);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("'null'")]
    public void Load_StoreKindNoneOrQuotedNull_NullStore(string kind)
    {
        var options = IngestConfigLoader.Load($"store: {{ kind: {kind} }}\n", "ingest.yaml");

        Assert.Equal(StoreKind.Null, options.Store.Kind);
    }

    [Fact]
    public void Load_UnknownKey_NamesFileAndKey()
    {
        var ex = Assert.Throws<IngestConfigException>(
            () => IngestConfigLoader.Load("listen: [http://127.0.0.1:0]\nlsten: x\n", "ingest.yaml"));

        Assert.Contains("ingest.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("lsten", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PlainHttpBeyondLoopback_Refused()
    {
        var ex = Assert.Throws<IngestConfigException>(
            () => IngestConfigLoader.Load("listen: [http://0.0.0.0:8086]\n", "ingest.yaml"));

        Assert.Contains("ingest.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("listen", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PlainHttpBeyondLoopbackAllowed_Accepted()
    {
        var options = IngestConfigLoader.Load("listen: [http://0.0.0.0:8086]\nallowInsecureHttp: true\n", "ingest.yaml");

        Assert.True(options.AllowInsecureHttp);
    }

    [Fact]
    public void Load_LiveAndHealthSettings_ReadsHeartbeatSeverityMessageStateAndHistory()
    {
        var options = IngestConfigLoader.Load(
            """
            listen: [http://127.0.0.1:0]
            live: { queueBatches: 8, queueSamples: 5000, maxSubscribers: 3, heartbeat: 2s }
            health:
              alarmField: alarm
              alertHistory: 50
              maxSeries: 10
              rules:
                - { name: hot, kind: threshold, field: temperature, above: 80, hysteresis: 2, severity: critical, message: Oven too hot, state: fault }
            """,
            "ingest.yaml");

        Assert.Equal(TimeSpan.FromSeconds(2), options.Live.Heartbeat);
        Assert.Equal(3, options.Live.MaxSubscribers);
        Assert.Equal(5000, options.Live.QueueSamples);
        Assert.Equal(10, options.Health.MaxSeries);
        Assert.Equal("state", options.Health.StateField);
        Assert.Equal("alarm", options.Health.AlarmField);
        Assert.Equal(50, options.Health.AlertHistory);
        var rule = Assert.Single(options.Health.Rules);
        Assert.Equal(AlertSeverity.Critical, rule.Severity);
        Assert.Equal("Oven too hot", rule.Message);
        Assert.Equal("fault", rule.State);
    }

    [Fact]
    public void Load_UnknownSeverity_NamesKey()
    {
        var ex = Assert.Throws<IngestConfigException>(() => IngestConfigLoader.Load(
            "listen: [http://127.0.0.1:0]\nhealth: { rules: [ { name: hot, kind: threshold, field: t, above: 1, severity: loud } ] }\n",
            "ingest.yaml"));

        Assert.Contains("severity", ex.Message, StringComparison.Ordinal);
    }
}
