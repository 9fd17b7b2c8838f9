using Telemetry.Core;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Storage;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>
/// What a configuration reload does to OPC UA sources (stop the old instance cleanly, start the new one), against
/// the node-opcua PLC: a source renamed to a name whose file-safe text is the same ("plc.1" → "plc_1") keeps the
/// state file the new instance wrote when the old one stops, so the new one can still resume after a crash.
/// </summary>
[Collection(OpcUaSourceCollection.Name)]
public sealed class OpcUaSourceReloadStateTests
{
    [Fact]
    public async Task RunAsync_RenamedSourceCollidingNameOldStopsAfterNewSubscribed_NewStateFileKept()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        using var dir = new TempDirectory("opcua-reload-state");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = OpcUaSourceTests.Load(plc.EndpointUrl, """
                  - { node: "nsu=urn:telemetry:plc;s=Counter", machine: plc-1, tag: counter }
            """) with { ResumeStateDirectory = dir.Combine("state") };

        using var oldStop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var old = new OpcUaSource(options with { Name = "plc.1" });
        var oldRun = old.RunAsync(spool, oldStop.Token);
        await WaitConnectedAsync(old, cts.Token);
        var renamed = new OpcUaSource(options with { Name = "plc_1" });
        var renamedRun = renamed.RunAsync(spool, cts.Token);
        await WaitConnectedAsync(renamed, cts.Token);
        var renamedSession = renamed.Session!.SessionId.ToString();

        await oldStop.CancelAsync(); // the reload stops the old instance: it closes its session and forgets its state
        await oldRun;

        var (state, problem) = new OpcUaResumeStore(dir.Combine("state"), "plc_1").Load(plc.EndpointUrl);
        Assert.Null(problem);
        Assert.NotNull(state);
        Assert.Equal(renamedSession, state.SessionId);
        Assert.Null(new OpcUaResumeStore(dir.Combine("state"), "plc.1").Load(plc.EndpointUrl).State);

        await cts.CancelAsync();
        await renamedRun;
    }

    private static async Task WaitConnectedAsync(OpcUaSource source, CancellationToken cancellationToken)
    {
        while (source.GetHealth().State != SourceLinkState.Connected || source.Session is null)
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
