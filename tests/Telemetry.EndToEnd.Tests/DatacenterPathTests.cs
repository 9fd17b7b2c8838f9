using Telemetry.Ingest.Configuration;

namespace Telemetry.EndToEnd.Tests;

/// <summary>Simulated plant → edge spool → forwarder → telemetry-ingest → each real store, and the faults on the way.</summary>
public sealed class DatacenterPathTests
{
    [Theory]
    [InlineData(StoreKind.InfluxDb1)]
    [InlineData(StoreKind.VictoriaMetrics)]
    public async Task Plant_ToIngestToStore_EverySampleQueriedBackExactly(StoreKind kind)
    {
        await using var rig = await EndToEndRig.StartAsync(kind);

        await rig.AppendTicksAsync(300);
        await rig.WaitDeliveredAsync(TimeSpan.FromSeconds(60));

        await rig.AssertStoreHoldsExactlyAppendedAsync();
        Assert.Empty(rig.Ingest.Services.Ledger.Gaps());
    }

    [Fact]
    public async Task StoreDown60s_MidStream_NothingLostNoDuplicates()
    {
        await using var rig = await EndToEndRig.StartAsync(StoreKind.InfluxDb1);
        await rig.AppendTicksAsync(100);
        await rig.WaitDeliveredAsync(TimeSpan.FromSeconds(60));

        rig.StoreLink.Cut();
        for (var i = 0; i < 60; i++)
        {
            await rig.AppendTicksAsync(5);
            await Task.Delay(1000);
        }

        Assert.True(rig.Spool.AcknowledgedBelow < rig.Spool.DurableNextSequence, "with the store down nothing may be acknowledged to the edge");
        rig.StoreLink.Restore();
        await rig.AppendTicksAsync(50);
        await rig.WaitDeliveredAsync(TimeSpan.FromSeconds(90));

        await rig.AssertStoreHoldsExactlyAppendedAsync();
    }

    [Fact]
    public async Task IngestRestarted_MidStream_NothingLost()
    {
        await using var rig = await EndToEndRig.StartAsync(StoreKind.InfluxDb1);
        await rig.AppendTicksAsync(100);
        await rig.StopIngestAsync();
        await rig.AppendTicksAsync(100);
        await Task.Delay(3000);
        await rig.StartIngestAsync();
        await rig.AppendTicksAsync(100);
        await rig.WaitDeliveredAsync(TimeSpan.FromSeconds(90));

        await rig.AssertStoreHoldsExactlyAppendedAsync();
    }

    [Fact]
    public async Task EdgeNetworkCut_MidStream_NothingLost()
    {
        await using var rig = await EndToEndRig.StartAsync(StoreKind.VictoriaMetrics);
        await rig.AppendTicksAsync(100);
        rig.EdgeLink.Cut();
        for (var i = 0; i < 10; i++)
        {
            await rig.AppendTicksAsync(20);
            await Task.Delay(500);
        }

        rig.EdgeLink.Restore();
        await rig.WaitDeliveredAsync(TimeSpan.FromSeconds(90));

        await rig.AssertStoreHoldsExactlyAppendedAsync();
    }
}
