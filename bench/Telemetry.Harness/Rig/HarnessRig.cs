using Telemetry.Harness.Check;
using Telemetry.Harness.Measure;
using Telemetry.Harness.Network;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Rig;

/// <summary>
/// Everything of one scenario, all real and each its own process: the simulated PLC (node-opcua) → telemetry-edge →
/// [edge link: fault proxy] → telemetry-ingest → [store link: fault proxy] → VictoriaMetrics; a live subscriber on
/// the ingest, a queryable probe on the store, and a CPU/memory meter per process.
/// </summary>
public sealed class HarnessRig : IAsyncDisposable
{
    private HarnessRig()
    {
    }

    public VictoriaMetricsPeer Victoria { get; private set; } = null!;

    public FaultProxy StoreLink { get; private set; } = null!;

    public IngestProcess Ingest { get; private set; } = null!;

    public FaultProxy EdgeLink { get; private set; } = null!;

    public PlcProcess Plc { get; private set; } = null!;

    public EdgeProcess Edge { get; private set; } = null!;

    public VictoriaReader Reader { get; private set; } = null!;

    public LiveProbe Live { get; private set; } = null!;

    public QueryableProbe Queryable { get; private set; } = null!;

    public IReadOnlyList<ProcessMeter> Meters { get; private set; } = [];

    /// <summary>(machine, tag) of item i.</summary>
    public IReadOnlyList<(string Machine, string Tag)> Series { get; private set; } = [];

    public static async Task<HarnessRig> StartAsync(HarnessSettings settings, SpoolBudget? spool, CancellationToken cancellationToken)
    {
        var rig = new HarnessRig();
        try
        {
            rig.Victoria = await VictoriaMetricsPeer.StartAsync(cancellationToken);
            rig.StoreLink = new FaultProxy(rig.Victoria.Port, "ingest→store");
            rig.Ingest = await IngestProcess.StartAsync($"{{ kind: victoriametrics, url: 'http://127.0.0.1:{rig.StoreLink.Port}/' }}", cancellationToken);
            rig.EdgeLink = new FaultProxy(rig.Ingest.Port, "edge→datacenter");
            rig.Plc = await PlcProcess.StartAsync(settings.Items, settings.LoadMs, cancellationToken);
            var plc = rig.Plc;
            var link = rig.EdgeLink.Port;
            rig.Edge = await EdgeProcess.StartAsync((web, data) => EdgeConfigWriter.Write(web, data, link, plc, spool), cancellationToken);
            rig.Series = [.. Enumerable.Range(0, settings.Items).Select(i => (EdgeConfigWriter.MachineOf(i), EdgeConfigWriter.TagOf(i)))];
            rig.Reader = new VictoriaReader(rig.Victoria.BaseAddress);
            rig.Live = new LiveProbe(rig.Ingest.BaseAddress, IngestProcess.Token);
            rig.Queryable = new QueryableProbe(rig.Reader, "machine_t000{machine=\"m000\"}", plc.TickAt, plc.TickTimeMs);
            var victoria = rig.Victoria;
            var ingest = rig.Ingest;
            var edge = rig.Edge;
            rig.Meters =
            [
                new ProcessMeter("telemetry-edge", () => edge.ProcessId),
                new ProcessMeter("telemetry-ingest", () => ingest.ProcessId),
                new ProcessMeter("VictoriaMetrics", () => victoria.Process.HasExited ? null : victoria.Process.ProcessId),
                new ProcessMeter("PLC (node-opcua)", () => plc.ProcessId),
            ];
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }

        return rig;
    }

    public ProcessMeter Meter(string role) => Meters.First(m => m.Role == role);

    public async ValueTask DisposeAsync()
    {
        if (Queryable is not null)
        {
            await Queryable.DisposeAsync();
        }

        if (Live is not null)
        {
            await Live.DisposeAsync();
        }

        Reader?.Dispose();
        await DisposeQuietlyAsync(Edge);
        await DisposeQuietlyAsync(Plc);
        await DisposeQuietlyAsync(EdgeLink);
        await DisposeQuietlyAsync(Ingest);
        await DisposeQuietlyAsync(StoreLink);
        await DisposeQuietlyAsync(Victoria);
    }

    private static async Task DisposeQuietlyAsync(IAsyncDisposable? disposable)
    {
        if (disposable is not null)
        {
            await disposable.DisposeAsync();
        }
    }
}
