using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Telemetry.Core;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Storage;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests.OpcUa;

[CollectionDefinition(Name)]
public sealed class OpcUaSourceCollection
{
    public const string Name = "opcua source (own PLCs)";
}

/// <summary>The OPC UA source against the node-opcua simulated PLC, writing into a real spool.</summary>
[Collection(OpcUaSourceCollection.Name)]
public sealed class OpcUaSourceTests
{
    [Fact]
    public async Task RunAsync_NodeIdBrowsePathAndRule_MappedTagsArriveInSpool()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        using var dir = new TempDirectory("opcua-source");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var source = new OpcUaSource(Load(plc.EndpointUrl, """
                  - node: nsu=urn:telemetry:plc;s=Counter
                    machine: plc-1
                    tag: counter
                  - path: Objects/Machines/Press1/Force
                    machine: press-01
                    line: line-2
                  - browse: Objects/Machines/Oven1
                    machine: oven-01
                  - node: nsu=urn:nowhere;s=Ghost
                    machine: plc-1
                  - path: Objects/Machines/Press9/Force
                    machine: press-09
            """));
        using var tail = new SpoolTail(spool);

        var run = source.RunAsync(spool, cts.Token);
        await tail.WaitUntilAsync(
            t => t.Of("plc-1", "counter").Count >= 3 && t.Of("press-01", "Force").Count >= 1 && t.Of("oven-01", "Setpoint").Count >= 1
                && t.Of("oven-01", "Zone1Temperature").Count >= 1 && t.Of("oven-01", "Zone2Temperature").Count >= 1,
            TimeSpan.FromSeconds(30),
            "every mapped tag in the spool");

        var counter = tail.Of("plc-1", "counter");
        Assert.All(counter, s => Assert.Equal(SampleValueKind.Int64, s.Value.Kind));
        Assert.All(counter, s => Assert.Equal(new Quality(QualityLevel.Good, 0), s.Quality));
        Assert.Equal(new AssetPath("plant-a", "", "", "plc-1", "counter"), counter[0].Path);
        Assert.True(counter[^1].Value.AsInt64() > counter[0].Value.AsInt64());
        var now = UnixTime.Now(TimeProvider.System);
        Assert.All(counter, s => Assert.InRange(s.SourceTimeNs, now - 60_000_000_000L, now + 5_000_000_000L));
        Assert.Equal(new AssetPath("plant-a", "", "line-2", "press-01", "Force"), tail.Of("press-01", "Force")[0].Path);
        Assert.Equal(SampleValueKind.Double, tail.Of("press-01", "Force")[0].Value.Kind);
        Assert.Equal(180.0, tail.Of("oven-01", "Setpoint")[0].Value.AsDouble());
        Assert.Equal(["oven-01/Setpoint", "oven-01/Zone1Temperature", "oven-01/Zone2Temperature", "plc-1/counter", "press-01/Force"],
            tail.Read().Select(s => $"{s.Path.Machine}/{s.Path.Tag}").Distinct().Order(StringComparer.Ordinal));

        Assert.Equal(5, source.TagCount);
        Assert.Equal(2, source.Problems.Count);
        Assert.Contains(source.Problems, p => p.Contains("nodes[3] node nsu=urn:nowhere;s=Ghost: the PLC has no namespace 'urn:nowhere'", StringComparison.Ordinal));
        Assert.Contains(source.Problems, p => p.Contains("nodes[4] path Objects/Machines/Press9/Force", StringComparison.Ordinal) && p.Contains("no 'Press9' under Objects/Machines", StringComparison.Ordinal));
        var health = source.GetHealth();
        Assert.Equal((SourceLinkState.Connected, "opcua"), (health.State, health.Kind));
        Assert.StartsWith("2 configured node(s) not subscribed", health.LastError, StringComparison.Ordinal);
        Assert.True(health.SamplesReceived >= counter.Count);

        await cts.CancelAsync();
        await run;
        Assert.Equal(SourceLinkState.Disconnected, source.GetHealth().State);
    }

    [Fact]
    public async Task PlcKilledAndRestarted_WithOtherNamespaceOrder_DataResumesWithin10sAndTagsMapRight()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        using var dir = new TempDirectory("opcua-source-restart");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = Load(plc.EndpointUrl, """
                  - { node: "nsu=urn:telemetry:plc;s=Counter", machine: plc-1, tag: counter, sampling_interval: 0ms }
                  - { node: "nsu=urn:telemetry:machines;s=Press1.Strokes", machine: press-01, tag: strokes }
                  - { path: Objects/PLC/Scalars/String, machine: plc-1, tag: text }
            """) with { ReconnectMaxDelay = TimeSpan.FromSeconds(2) };
        var source = new OpcUaSource(options);
        using var tail = new SpoolTail(spool);
        var run = source.RunAsync(spool, cts.Token);
        await tail.WaitUntilAsync(t => t.Of("plc-1", "counter").Count >= 5 && t.Of("plc-1", "text").Count >= 1, TimeSpan.FromSeconds(30), "counter values");
        var sessionBefore = source.Session!.SessionId;

        plc.Kill();
        await plc.RestartAsync(plc.Options with { ReversedNamespaces = true }, cts.Token);
        var restarted = Stopwatch.StartNew();
        var restartedAtNs = UnixTime.Now(TimeProvider.System);
        await tail.WaitUntilAsync(t => t.Of("plc-1", "counter").Count(s => s.ReceiveTimeNs > restartedAtNs) > 3, TimeSpan.FromSeconds(10), "counter values after the restart");
        var resumedAfter = restarted.Elapsed;
        await tail.WaitUntilAsync(t => t.Of("press-01", "strokes").Count >= 2 && t.Of("plc-1", "text").Count >= 2, TimeSpan.FromSeconds(10), "other tags after the restart");

        // The same source (never restarted) on a new session, whose namespace indexes differ.
        Assert.False(run.IsCompleted);
        Assert.NotEqual(sessionBefore, source.Session!.SessionId);
        var after = tail.Of("plc-1", "counter").Where(s => s.ReceiveTimeNs > restartedAtNs).ToList();
        Assert.All(after, s => Assert.Equal(SampleValueKind.Int64, s.Value.Kind));
        var steps = after.Zip(after.Skip(1), (a, b) => b.Value.AsInt64() - a.Value.AsInt64()).ToList();
        Assert.True(steps.Count >= 3 && steps.All(d => d == 1), $"the new PLC's counter, every step once: {string.Join(',', after.Select(s => s.Value))}");
        Assert.All(tail.Of("press-01", "strokes"), s => Assert.Equal(SampleValueKind.Double, s.Value.Kind));
        Assert.All(tail.Of("plc-1", "text"), s => Assert.Equal("Grüße 水", s.Value.AsString()));
        Assert.Equal(SourceLinkState.Connected, source.GetHealth().State);
        Assert.True(resumedAfter < TimeSpan.FromSeconds(10), $"resumed after {resumedAfter}");

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RunAsync_PlcUserDefinedStructure_OneTagPerFieldAlsoAfterNamespaceRenumbering()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        using var dir = new TempDirectory("opcua-source-structure");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var options = Load(plc.EndpointUrl, """
                  - { node: "nsu=urn:telemetry:plc;s=Structure", machine: press-01, tag: state }
            """) with { ReconnectMaxDelay = TimeSpan.FromSeconds(2) };
        var source = new OpcUaSource(options);
        using var tail = new SpoolTail(spool);
        var run = source.RunAsync(spool, cts.Token);
        string[] fields = ["state.Alarms", "state.Name", "state.PartCount", "state.Running", "state.Temperature"];
        await tail.WaitUntilAsync(t => fields.All(f => t.Of("press-01", f).Count >= 1), TimeSpan.FromSeconds(30), "one tag per field of MachineState");

        Assert.Equal(fields, tail.Read().Select(s => s.Path.Tag).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal("Press1", tail.Of("press-01", "state.Name")[0].Value.AsString());
        Assert.Equal(81.5, tail.Of("press-01", "state.Temperature")[0].Value.AsDouble());
        Assert.True(tail.Of("press-01", "state.Running")[0].Value.AsBoolean());
        Assert.Equal(1234, tail.Of("press-01", "state.PartCount")[0].Value.AsInt64());
        Assert.Equal("[3,7]", tail.Of("press-01", "state.Alarms")[0].Value.AsString());

        // A PLC restart that renumbers the namespaces: the types are keyed by namespace URI, so fields still decode.
        plc.Kill();
        await plc.RestartAsync(plc.Options with { ReversedNamespaces = true }, cts.Token);
        var restartedAtNs = UnixTime.Now(TimeProvider.System);
        await tail.WaitUntilAsync(t => t.Of("press-01", "state.Temperature").Any(s => s.ReceiveTimeNs > restartedAtNs), TimeSpan.FromSeconds(20), "fields after the restart");
        Assert.Equal(81.5, tail.Of("press-01", "state.Temperature")[^1].Value.AsDouble());
        Assert.Equal(fields, tail.Read().Select(s => s.Path.Tag).Distinct().Order(StringComparer.Ordinal));

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RunAsync_OnePlcSilent_OtherPlcDeliversAndSilentOneReportsWhy()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var plc = await OpcUaPlcPeer.StartAsync(new OpcUaPlcOptions(), cts.Token);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (in the backlog) and never answers
        var silentUrl = $"opc.tcp://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        using var dir = new TempDirectory("opcua-source-silent");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Combine("spool")), cancellationToken: cts.Token);
        var stuck = new OpcUaSource(Load(silentUrl, "      - { node: \"nsu=urn:telemetry:plc;s=Counter\", machine: plc-2, tag: counter }\n") with
        {
            Name = "silent-plc",
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        var good = new OpcUaSource(Load(plc.EndpointUrl, "      - { node: \"nsu=urn:telemetry:plc;s=Counter\", machine: plc-1, tag: counter }\n"));
        using var tail = new SpoolTail(spool);

        var started = Stopwatch.StartNew();
        var runs = new[] { stuck.RunAsync(spool, cts.Token), good.RunAsync(spool, cts.Token) };
        await tail.WaitUntilAsync(t => t.Of("plc-1", "counter").Count >= 1, TimeSpan.FromSeconds(15), "the reachable PLC's counter");
        var firstValueAfter = started.Elapsed;
        await tail.WaitUntilAsync(_ => stuck.GetHealth().LastError is not null, TimeSpan.FromSeconds(10), "the silent PLC's error");

        Assert.True(firstValueAfter < TimeSpan.FromSeconds(5), $"first value after {firstValueAfter}");
        Assert.Empty(tail.Of("plc-2", "counter"));
        var health = stuck.GetHealth();
        Assert.Equal(SourceLinkState.Reconnecting, health.State);
        Assert.Contains("no OPC UA session within 2 s", health.LastError, StringComparison.Ordinal);

        await cts.CancelAsync();
        await Task.WhenAll(runs);
    }

    /// <summary>The options of one opcua source "plc" on the endpoint (100 ms) with the given nodes block.</summary>
    internal static OpcUaSourceOptions Load(string endpoint, string nodes)
    {
        var yaml = $"""
            edge: {"{"} id: edge-1, site: plant-a {"}"}
            sources:
              - name: plc
                type: opcua
                endpoint: {endpoint}
                publishing_interval: 100ms
                sampling_interval: 100ms
                nodes:

            """ + nodes;
        return Assert.IsType<OpcUaSourceConfig>(Assert.Single(EdgeConfigLoader.Parse(yaml, "edge.yaml").Sources)).Options;
    }
}
