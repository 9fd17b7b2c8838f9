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
}
