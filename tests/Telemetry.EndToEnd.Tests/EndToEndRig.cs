using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Sites;
using Telemetry.Simulator;
using Telemetry.Storage;
using Telemetry.Testing;
using Telemetry.Testing.Peers;

namespace Telemetry.EndToEnd.Tests;

/// <summary>
/// One datacenter path, all real: a spool fed by a simulated plant, the forwarder, a loopback proxy (the edge's
/// network, cut on demand), telemetry-ingest, another proxy (the datacenter's network to its store), and a real
/// InfluxDB 1.x or VictoriaMetrics. Every appended sample is remembered, so the store can be compared exactly.
/// </summary>
public sealed class EndToEndRig : IAsyncDisposable
{
    public const string Site = "plant-a";
    public const string Token = "e2e0000000000000000000000000000000000000000000000000000000000000";
    public const long BaseTimeNs = 1_790_000_000_000_000_000;

    private readonly TempDirectory _dir = new("e2e");
    private readonly PlantSimulator _plant;
    private long _tick;

    private EndToEndRig(StoreKind kind)
    {
        Kind = kind;
        _plant = new PlantSimulator(new PlantSimulatorOptions
        {
            Machines =
            [
                new SimulatedMachineSpec("cnc-mill", new AssetPath(Site, "machining", "line 1", "mill-1", "state")),
                new SimulatedMachineSpec("hydraulic-press", new AssetPath(Site, "forming", "line 2", "press-1", "state")),
                new SimulatedMachineSpec("curing-oven", new AssetPath(Site, "finishing", "line 3", "oven-1", "state")),
            ],
            Seed = 7,
        });
    }

    public StoreKind Kind { get; }

    public InfluxDbPeer? Influx { get; private set; }

    public VictoriaMetricsPeer? Victoria { get; private set; }

    public LoopbackProxy StoreLink { get; private set; } = null!;

    public LoopbackProxy EdgeLink { get; private set; } = null!;

    public IngestServer Ingest { get; private set; } = null!;

    public int IngestPort { get; private set; }

    public Spool Spool { get; private set; } = null!;

    public Forwarder Forwarder { get; private set; } = null!;

    /// <summary>Every sample appended, by (machine, tag, source time).</summary>
    public Dictionary<(string Machine, string Tag, long TimeNs), SampleValue> Appended { get; } = [];

    /// <param name="inProcessEdge">false: no spool and forwarder in this process (a test runs the edge agent as a child process).</param>
    public static async Task<EndToEndRig> StartAsync(StoreKind kind, bool inProcessEdge = true)
    {
        var rig = new EndToEndRig(kind);
        Uri storeUri;
        if (kind == StoreKind.InfluxDb1)
        {
            rig.Influx = await InfluxDbPeer.StartAsync();
            await rig.Influx.CreateDatabaseAsync("telemetry");
            rig.StoreLink = new LoopbackProxy(rig.Influx.Port);
        }
        else
        {
            rig.Victoria = await VictoriaMetricsPeer.StartAsync();
            rig.StoreLink = new LoopbackProxy(rig.Victoria.Port);
        }

        storeUri = new Uri($"http://127.0.0.1:{rig.StoreLink.Port}/");
        rig.IngestPort = FreePort.Get();
        await rig.StartIngestAsync(storeUri);
        rig.EdgeLink = new LoopbackProxy(rig.IngestPort);
        if (inProcessEdge)
        {
            rig.Spool = await Spool.OpenAsync(new SpoolOptions(rig._dir.Combine("spool")));
            rig.StartForwarder();
        }

        return rig;
    }

    public IngestOptions IngestOptions(Uri storeUri) => new()
    {
        Listen = [new Uri($"http://127.0.0.1:{IngestPort}")],
        Sites = [new SiteOptions { Name = Site, TokenHashes = [SiteTokens.Hash(Token)] }],
        Store = new StoreOptions
        {
            Kind = Kind,
            Url = storeUri,
            Database = Kind == StoreKind.InfluxDb1 ? "telemetry" : null,
            AttemptTimeout = TimeSpan.FromSeconds(3),
            TotalTimeout = TimeSpan.FromSeconds(6),
            BreakDuration = TimeSpan.FromSeconds(1),
        },
    };

    public async Task StartIngestAsync(Uri? storeUri = null)
    {
        storeUri ??= new Uri($"http://127.0.0.1:{StoreLink.Port}/");
        Ingest = await IngestServer.StartAsync(IngestOptions(storeUri), new IngestServerSettings { Loggers = NullLoggerFactory.Instance });
    }

    public async Task StopIngestAsync() => await Ingest.DisposeAsync();

    public void StartForwarder(BacklogOptions? backlog = null)
    {
        Forwarder = new Forwarder(Spool, new DatacenterOptions
        {
            Kind = DatacenterKind.TelemetryIngest,
            BaseUri = new Uri($"http://127.0.0.1:{EdgeLink.Port}/"),
            EdgeId = "edge-e2e",
            Token = Token,
            MaxBatchSamples = 2000,
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            MaxProbeInterval = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(10),
            QuarantineDirectory = _dir.Combine("quarantine"),
            Backlog = backlog ?? new BacklogOptions(),
        }, NullLogger<Forwarder>.Instance);
        Forwarder.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Plays <paramref name="ticks"/> plant seconds (one tick = 1 s of source time) into the spool.</summary>
    public async Task AppendTicksAsync(int ticks)
    {
        using var batch = new SampleBatch(256);
        for (var i = 0; i < ticks; i++)
        {
            batch.Clear();
            _plant.Tick(batch, 1, BaseTimeNs + (_tick++ * 1_000_000_000L));
            foreach (var s in batch.Samples)
            {
                Appended[(s.Path.Machine, s.Path.Tag, s.SourceTimeNs)] = s.Value;
            }

            await Spool.WriteAsync(batch);
        }
    }

    /// <summary>Appends one sample of <paramref name="path"/> stamped now (the moment the edge received it) and remembers it.</summary>
    public async Task<long> AppendLiveAsync(AssetPath path, double value)
    {
        var now = UnixTime.Now(TimeProvider.System);
        using var batch = new SampleBatch(1);
        batch.Add(Sample.Create(path, now, SampleValue.FromDouble(value), now));
        Appended[(path.Machine, path.Tag, now)] = SampleValue.FromDouble(value);
        await Spool.WriteAsync(batch);
        return now;
    }

    public async Task WaitDeliveredAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Spool.AcknowledgedBelow < Spool.DurableNextSequence)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not delivered within {timeout}: acknowledged below {Spool.AcknowledgedBelow}, durable next {Spool.DurableNextSequence}, forwarder: {Forwarder.Status.LastError}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every field value the store holds, by (machine, tag, time). Quality fields are left out.</summary>
    public async Task<Dictionary<(string Machine, string Tag, long TimeNs), JsonElement>> ReadInfluxAsync()
    {
        var json = await Influx!.QueryAsync("SELECT * FROM machine GROUP BY *", "telemetry");
        var result = new Dictionary<(string, string, long), JsonElement>();
        var root = JsonDocument.Parse(json).RootElement.GetProperty("results")[0];
        if (!root.TryGetProperty("series", out var series))
        {
            return result;
        }

        foreach (var s in series.EnumerateArray())
        {
            var machine = s.GetProperty("tags").GetProperty("machine").GetString()!;
            var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
            foreach (var row in s.GetProperty("values").EnumerateArray())
            {
                var time = row[0].GetInt64();
                for (var c = 1; c < columns.Length; c++)
                {
                    if (row[c].ValueKind != JsonValueKind.Null && !columns[c].EndsWith("_quality", StringComparison.Ordinal))
                    {
                        result[(machine, columns[c], time)] = row[c].Clone();
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Asserts the store holds exactly the appended samples (values, timestamps; nothing missing, nothing extra).</summary>
    public async Task AssertStoreHoldsExactlyAppendedAsync()
    {
        if (Kind == StoreKind.InfluxDb1)
        {
            var stored = await ReadInfluxAsync();
            var missing = Appended.Keys.Where(k => !stored.ContainsKey(k)).Take(5).ToList();
            Assert.True(missing.Count == 0, $"{Appended.Count - stored.Count} missing, e.g. {string.Join("; ", missing)}");
            Assert.Equal(Appended.Count, stored.Count);
            foreach (var (key, value) in Appended)
            {
                var got = stored[key];
                switch (value.Kind)
                {
                    case SampleValueKind.Double: Assert.Equal(value.AsDouble(), got.GetDouble()); break;
                    case SampleValueKind.Int64: Assert.Equal(value.AsInt64(), got.GetInt64()); break;
                    case SampleValueKind.Boolean: Assert.Equal(value.AsBoolean(), got.GetBoolean()); break;
                    case SampleValueKind.String: Assert.Equal(value.AsString(), got.GetString()); break;
                }
            }

            return;
        }

        // VictoriaMetrics: numeric fields as metrics machine_<tag>, timestamps in ms.
        var expected = Appended.Where(kv => kv.Value.Kind is SampleValueKind.Double or SampleValueKind.Int64)
            .ToDictionary(kv => (kv.Key.Machine, kv.Key.Tag, kv.Key.TimeNs / 1_000_000), kv => kv.Value.Kind == SampleValueKind.Double ? kv.Value.AsDouble() : kv.Value.AsInt64());
        var storedVm = new Dictionary<(string, string, long), double>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Victoria!.ForceFlushAsync();
            storedVm = ParseVictoriaExport(await Victoria.ExportAsync("{__name__=~\"machine_.*\"}"));
            if (storedVm.Count >= expected.Count)
            {
                break;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        var missingVm = expected.Keys.Where(k => !storedVm.ContainsKey(k)).Take(5).ToList();
        Assert.True(missingVm.Count == 0, $"{expected.Count - storedVm.Count} missing, e.g. {string.Join("; ", missingVm)}");
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value, storedVm[key]);
        }
    }

    private static Dictionary<(string, string, long), double> ParseVictoriaExport(string text)
    {
        var result = new Dictionary<(string, string, long), double>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var doc = JsonDocument.Parse(line).RootElement;
            var metric = doc.GetProperty("metric");
            var name = metric.GetProperty("__name__").GetString()!;
            if (name.EndsWith("_quality", StringComparison.Ordinal))
            {
                continue;
            }

            var tag = name["machine_".Length..];
            var machine = metric.GetProperty("machine").GetString()!;
            var values = doc.GetProperty("values").EnumerateArray().ToArray();
            var times = doc.GetProperty("timestamps").EnumerateArray().ToArray();
            for (var i = 0; i < values.Length; i++)
            {
                result[(machine, tag, times[i].GetInt64())] = values[i].GetDouble();
            }
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (Forwarder is not null)
        {
            await Forwarder.StopAsync(CancellationToken.None);
            Forwarder.Dispose();
        }

        if (Spool is not null)
        {
            await Spool.DisposeAsync();
        }

        await EdgeLink.DisposeAsync();
        await Ingest.DisposeAsync();
        await StoreLink.DisposeAsync();
        if (Influx is not null)
        {
            await Influx.DisposeAsync();
        }

        if (Victoria is not null)
        {
            await Victoria.DisposeAsync();
        }

        _dir.Dispose();
    }
}
