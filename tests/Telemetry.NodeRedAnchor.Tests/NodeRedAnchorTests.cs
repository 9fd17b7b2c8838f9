using System.Diagnostics;
using Xunit.Abstractions;

namespace Telemetry.NodeRedAnchor.Tests;

/// <summary>The anchor against the real node-opcua PLC and InfluxDB 1.6 (Node-RED installed by install.sh on first use, then cached).</summary>
[Trait("Category", "Anchor")]
public sealed class NodeRedAnchorTests(AnchorPeersFixture peers, ITestOutputHelper output) : IClassFixture<AnchorPeersFixture>
{
    [Theory]
    [InlineData(NodeRedSubscribeMode.PerItem, 15)]
    [InlineData(NodeRedSubscribeMode.Group, 10)]
    public async Task RunAsync_HundredItemsAt100Ms_StoresPointsAndMeasuresTheProcess(NodeRedSubscribeMode mode, int seconds)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        var options = new NodeRedRunOptions
        {
            OpcUaEndpoint = peers.Plc.EndpointUrl,
            BrowseRoot = "nsu=urn:telemetry:plc;s=Load",
            SubscribeMode = mode,
            Measurement = "nodered_" + mode.ToString().ToLowerInvariant(),
            SamplingInterval = TimeSpan.FromMilliseconds(AnchorPeersFixture.LoadMs),
            InfluxUrl = peers.Influx.BaseAddress,
            Database = "anchor",
            Duration = TimeSpan.FromSeconds(seconds),
            Drain = TimeSpan.FromSeconds(3),
        };
        var started = Stopwatch.GetTimestamp();

        var result = await NodeRedAnchor.RunAsync(options, cts.Token);

        var expected = NodeRedResult.ExpectedSamples(AnchorPeersFixture.Items, TimeSpan.FromMilliseconds(AnchorPeersFixture.LoadMs), options.SamplingInterval, result.Window);
        output.WriteLine($"install {result.InstallTime}, startup {result.StartupTime}, whole run {Stopwatch.GetElapsedTime(started)}");
        output.WriteLine($"stored {result.SamplesStored} of {expected} offered in {result.Window} ({result.SamplesPerSecond:F0}/s), received {result.NotificationsReceived}, errors {result.Errors}");
        output.WriteLine($"arrived during the window {result.PointsArrived} ({result.PointsArrivedPerSecond:F0}/s), lag at its end {result.LagAtWindowEnd}");
        output.WriteLine($"CPU {result.CpuSeconds:F2} s ({result.CpuSecondsPerMillionSamples:F0} s per million), peak RSS {result.PeakRssBytes / 1048576.0:F0} MiB");
        Assert.Equal(AnchorPeersFixture.Items, result.Items);
        Assert.All(result.NodeIds, id => Assert.Matches(@"^ns=\d+;s=Load\.Item\d{5}$", id));
        Assert.True(result.SamplesStored > 0, "no point of the window reached InfluxDB");
        // One point per item and source timestamp: never more than the PLC offered (+1 per item at the window's edges).
        Assert.InRange(result.SamplesStored, 1, expected + AnchorPeersFixture.Items);
        Assert.True(result.NotificationsReceived > 0, "the flow's counter saw no data change");
        Assert.Equal(0, result.Errors);
        Assert.True(result.PointsArrived > 0, "nothing reached InfluxDB during the window");
        Assert.True(result.CpuSeconds > 0, "no CPU time measured for the Node-RED process");
        Assert.InRange(result.PeakRssBytes, 20L << 20, 8L << 30);
    }

    [Fact]
    public async Task RunAsync_UnknownNamespaceUri_ThrowsNamingTheNamespaces()
    {
        var options = new NodeRedRunOptions
        {
            OpcUaEndpoint = peers.Plc.EndpointUrl,
            NodeIds = ["nsu=urn:nowhere;s=Load.Item00000"],
            InfluxUrl = peers.Influx.BaseAddress,
        };

        var ex = await Assert.ThrowsAsync<Telemetry.OpcUa.OpcUaException>(() => NodeRedAnchor.RunAsync(options));

        Assert.Contains("urn:nowhere", ex.Message, StringComparison.Ordinal);
        Assert.Contains("urn:telemetry:plc", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_NamespaceUris_BecomeThisServersIndexes()
    {
        var options = new NodeRedRunOptions
        {
            OpcUaEndpoint = peers.Plc.EndpointUrl,
            NodeIds = ["nsu=urn:telemetry:plc;s=Load.Item00007", "i=2258"],
            InfluxUrl = peers.Influx.BaseAddress,
        };

        var ids = await NodeIdResolver.ResolveAsync(options, CancellationToken.None);

        Assert.Matches(@"^ns=[1-9]\d*;s=Load\.Item00007$", ids[0]);
        Assert.Equal("i=2258", ids[1]);
    }
}
