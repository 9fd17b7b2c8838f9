using Telemetry.Harness.Check;
using Telemetry.Harness.Measure;
using Telemetry.Harness.Network;
using Telemetry.Testing.Peers;

namespace Telemetry.Harness.Rig;

/// <summary>
/// Everything of one scenario, all real and each its own process: the simulated PLC (node-opcua) — or, for the MQTT
/// load, Mosquitto with the in-harness JSON and Sparkplug B device fleets — → telemetry-edge →
/// [edge link: fault proxy] → telemetry-ingest → [store link: fault proxy] → VictoriaMetrics or InfluxDB 1.x; a live subscriber on
/// the ingest, a queryable probe on the store, and a CPU/memory meter per process.
/// </summary>
public sealed partial class HarnessRig : IAsyncDisposable
{
    private HarnessRig()
    {
    }

    public HarnessStore Store { get; private set; }

    public VictoriaMetricsPeer? Victoria { get; private set; }

    public InfluxDbPeer? Influx { get; private set; }

    public FaultProxy StoreLink { get; private set; } = null!;

    public IngestProcess Ingest { get; private set; } = null!;

    public FaultProxy EdgeLink { get; private set; } = null!;

    /// <summary>The simulated PLC; null for the MQTT load (<see cref="HarnessLoad.Mqtt"/>).</summary>
    public PlcProcess Plc { get; private set; } = null!;

    public HarnessLoad Load { get; private set; }

    /// <summary>The load's tick grid (value = tick, timestamp = the tick's grid time).</summary>
    public TickGrid Grid { get; private set; } = null!;

    /// <summary>The MQTT load's broker (null for OPC UA).</summary>
    public MosquittoPeer? Broker { get; private set; }

    /// <summary>The MQTT load's device fleets (empty for OPC UA).</summary>
    public IReadOnlyList<MqttLoadPublisher> Publishers { get; private set; } = [];

    public EdgeProcess Edge { get; private set; } = null!;

    public IStoreReader Reader { get; private set; } = null!;

    public LiveProbe Live { get; private set; } = null!;

    public QueryableProbe Queryable { get; private set; } = null!;

    public IReadOnlyList<ProcessMeter> Meters { get; private set; } = [];

    /// <summary>(machine, tag) of item i.</summary>
    public IReadOnlyList<(string Machine, string Tag)> Series { get; private set; } = [];

    public static async Task<HarnessRig> StartAsync(HarnessSettings settings, HarnessStore store, SpoolBudget? spool, CancellationToken cancellationToken,
        HarnessLoad load = HarnessLoad.OpcUa)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var rig = new HarnessRig { Store = store, Load = load, Grid = new TickGrid(settings.LoadMs) };
        try
        {
            PeerProcess storeProcess;
            if (store == HarnessStore.InfluxDb1)
            {
                rig.Influx = await InfluxDbPeer.StartAsync(cancellationToken);
                await rig.Influx.CreateDatabaseAsync(Database, cancellationToken);
                rig.StoreLink = new FaultProxy(rig.Influx.Port, "ingest→store");
                storeProcess = rig.Influx.Process;
                rig.Ingest = await IngestProcess.StartAsync($"{{ kind: influxdb1, url: 'http://127.0.0.1:{rig.StoreLink.Port}/', database: {Database} }}", cancellationToken);
            }
            else
            {
                rig.Victoria = await VictoriaMetricsPeer.StartAsync(cancellationToken);
                rig.StoreLink = new FaultProxy(rig.Victoria.Port, "ingest→store");
                storeProcess = rig.Victoria.Process;
                rig.Ingest = await IngestProcess.StartAsync($"{{ kind: victoriametrics, url: 'http://127.0.0.1:{rig.StoreLink.Port}/' }}", cancellationToken);
            }

            rig.EdgeLink = new FaultProxy(rig.Ingest.Port, "edge→datacenter");
            var link = rig.EdgeLink.Port;
            ProcessMeter loadMeter;
            if (load == HarnessLoad.Mqtt)
            {
                loadMeter = await rig.StartMqttLoadAsync(settings, link, spool, cancellationToken);
            }
            else
            {
                rig.Plc = await PlcProcess.StartAsync(settings.Items, settings.LoadMs, cancellationToken);
                var plc = rig.Plc;
                rig.Edge = await EdgeProcess.StartAsync((web, data) => EdgeConfigWriter.Write(web, data, link, plc, spool), cancellationToken);
                rig.Series = [.. Enumerable.Range(0, settings.Items).Select(i => (EdgeConfigWriter.MachineOf(i), EdgeConfigWriter.TagOf(i)))];
                loadMeter = new ProcessMeter("PLC (node-opcua)", () => plc.ProcessId);
            }

            rig.Reader = store == HarnessStore.InfluxDb1
                ? new InfluxReader(rig.Influx!.BaseAddress, Database, [.. rig.Series.Select(s => s.Machine).Distinct()])
                : new VictoriaReader(rig.Victoria!.BaseAddress);
            rig.Live = new LiveProbe(rig.Ingest.BaseAddress, IngestProcess.Token);
            rig.Queryable = new QueryableProbe(rig.Reader, rig.Series[0].Machine, rig.Series[0].Tag, rig.Grid.TickAt, rig.Grid.TickTimeMs);
            var ingest = rig.Ingest;
            var edge = rig.Edge;
            rig.Meters =
            [
                new ProcessMeter("telemetry-edge", () => edge.ProcessId),
                new ProcessMeter("telemetry-ingest", () => ingest.ProcessId),
                new ProcessMeter(StoreRole, () => storeProcess.HasExited ? null : storeProcess.ProcessId),
                loadMeter,
            ];
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }

        return rig;
    }

    /// <summary>The store's row in the process figures (one name for either store).</summary>
    public const string StoreRole = "store";

    public const string Database = "telemetry";

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
        foreach (var publisher in Publishers)
        {
            await publisher.DisposeAsync();
        }

        await DisposeQuietlyAsync(Edge);
        await DisposeQuietlyAsync(Broker);
        await DisposeQuietlyAsync(Plc);
        await DisposeQuietlyAsync(EdgeLink);
        await DisposeQuietlyAsync(Ingest);
        await DisposeQuietlyAsync(StoreLink);
        await DisposeQuietlyAsync(Victoria);
        await DisposeQuietlyAsync(Influx);
    }

    private static async Task DisposeQuietlyAsync(IAsyncDisposable? disposable)
    {
        if (disposable is not null)
        {
            await disposable.DisposeAsync();
        }
    }
}
