using System.Diagnostics;
using System.Globalization;
using MQTTnet.Protocol;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Tests.Fixtures;
using Telemetry.Testing.Peers;

namespace Telemetry.Edge.Mqtt.Tests.Integration;

/// <summary>The MQTT source against a real Mosquitto 2, writing into a real spool.</summary>
public sealed class MosquittoSourceTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task RunAsync_100kQos1MessagesFromFourPublishers_EveryIdInSpoolExactlyOnce()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var source = new MqttSource(TestOptions.Source(broker, "edge-100k"));
        await using (var runner = new SourceRunner(source, spool.Spool))
        {
            await runner.WaitConnectedAsync();
            const int publishers = 4;
            const int each = 25_000;
            var tasks = new List<Task>();
            for (var p = 0; p < publishers; p++)
            {
                var index = p;
                tasks.Add(Task.Run(async () =>
                {
                    await using var publisher = await TestPublisher.ConnectAsync(broker.Host, broker.Port, $"pub-{index}");
                    await publisher.PublishRangeAsync(_ => $"plant/l1/m{index}/seq", (long)index * each, each, MqttQualityOfServiceLevel.AtLeastOnce);
                }));
            }

            await Task.WhenAll(tasks);
            var all = await spool.WaitForAsync(s => s.Count >= publishers * each, Long, "100,000 samples");
            await Task.Delay(500);
            all = spool.ReadAll();
            AssertExactlyOnce(all, 0, publishers * each);
            var stats = source.GetStatistics();
            Assert.Equal(publishers * each, stats.MessagesReceived);
            Assert.Equal(0, stats.MessagesRejected);
        }
    }

    [Theory]
    [InlineData(MqttProtocol.V311, MqttQos.AtMostOnce)]
    [InlineData(MqttProtocol.V311, MqttQos.AtLeastOnce)]
    [InlineData(MqttProtocol.V311, MqttQos.ExactlyOnce)]
    [InlineData(MqttProtocol.V5, MqttQos.AtMostOnce)]
    [InlineData(MqttProtocol.V5, MqttQos.AtLeastOnce)]
    [InlineData(MqttProtocol.V5, MqttQos.ExactlyOnce)]
    public async Task RunAsync_ProtocolAndQos_AllMessagesArriveOnce(MqttProtocol protocol, MqttQos qos)
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var source = new MqttSource(TestOptions.Source(broker, $"edge-{protocol}-{qos}", protocol, persistent: false, qos));
        await using var runner = new SourceRunner(source, spool.Spool);
        await runner.WaitConnectedAsync();
        await using var publisher = await TestPublisher.ConnectAsync(broker.Host, broker.Port, "pub");
        await publisher.PublishRangeAsync(_ => "plant/l1/m1/counter", 0, 2000, (MqttQualityOfServiceLevel)(int)qos);
        var all = await spool.WaitForAsync(s => s.Count >= 2000, Long, "2,000 samples");
        AssertExactlyOnce(all, 0, 2000);
        Assert.All(all, s => Assert.Equal(new AssetPath("s1", string.Empty, "l1", "m1", "counter"), s.Path));
    }

    [Theory]
    [InlineData(MqttProtocol.V311)]
    [InlineData(MqttProtocol.V5)]
    public async Task RunAsync_PersistentSessionStoppedWhilePublishing_MessagesArriveAfterRestart(MqttProtocol protocol)
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var options = TestOptions.Source(broker, $"edge-persist-{protocol}", protocol, persistent: true);
        await using var publisher = await TestPublisher.ConnectAsync(broker.Host, broker.Port, "pub");
        await using (var runner = new SourceRunner(new MqttSource(options), spool.Spool))
        {
            await runner.WaitConnectedAsync();
            await publisher.PublishRangeAsync(_ => "plant/l1/m1/n", 0, 500, MqttQualityOfServiceLevel.AtLeastOnce);
            await spool.WaitForAsync(s => s.Count >= 500, Long, "first 500");
        }

        // The source is stopped: the broker queues these for its session.
        await publisher.PublishRangeAsync(_ => "plant/l1/m1/n", 500, 1500, MqttQualityOfServiceLevel.AtLeastOnce);
        await using (var runner = new SourceRunner(new MqttSource(options), spool.Spool))
        {
            await runner.WaitConnectedAsync();
            var all = await spool.WaitForAsync(s => s.Count >= 2000, Long, "all 2,000 after restart");
            AssertExactlyOnce(all, 0, 2000);
        }
    }

    /// <summary>
    /// A 16 MB backlog of large JSON messages (101 values each) queued in Mosquitto for the source's persistent session
    /// arrives whole after the restart, every message once. (Alone, this drained in seconds even with MQTTnet's 8 KiB
    /// socket buffers; the window-limited stall of <see cref="Unit.ClientOptionsTests"/> needed a backlog under a
    /// steady inflow, as in the harness.)
    /// </summary>
    [Fact]
    public async Task RunAsync_LargeBacklogQueuedForPersistentSession_DrainsAfterRestart()
    {
        const int messages = 12_000;
        const int fields = 100;
        var rule = new MqttMappingRule
        {
            Topic = "plant/{line}/{machine}",
            Site = "s1",
            Format = MqttPayloadFormat.Json,
            Json = new MqttJsonMapping { ValuesPath = "values" },
        };
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var options = TestOptions.Source(broker, "edge-backlog", rules: [rule]);
        await using (var runner = new SourceRunner(new MqttSource(options), spool.Spool))
        {
            await runner.WaitConnectedAsync(); // the session and its subscription exist; then the source is away
        }

        await using (var publisher = await TestPublisher.ConnectAsync(broker.Host, broker.Port, "pub"))
        {
            var padding = string.Concat(Enumerable.Range(0, fields).Select(f => string.Create(CultureInfo.InvariantCulture, $",\"f{f:D3}\":1234567.25")));
            await publisher.PublishRangeAsync(_ => "plant/l1/m1", 0, messages, MqttQualityOfServiceLevel.AtLeastOnce,
                payload: id => string.Create(CultureInfo.InvariantCulture, $"{{\"values\":{{\"id\":{id}{padding}}}}}"));
        }

        await using (var runner = new SourceRunner(new MqttSource(options), spool.Spool))
        {
            await runner.WaitConnectedAsync();
            var all = await spool.WaitForAsync(s => s.Count >= messages * (fields + 1), TimeSpan.FromSeconds(60), "the whole backlog within 60 s");
            AssertExactlyOnce([.. all.Where(s => s.Path.Tag == "id")], 0, messages);
            Assert.Equal(messages * (fields + 1), all.Count);
        }
    }

    /// <summary>
    /// The broker is killed (-9) while it delivers a persisted backlog to the source, and restarted from its
    /// persistence file. Mosquitto saves its state periodically, so a message it PUBACKed in the last moment before
    /// a kill can be lost by the broker itself; the backlog here was saved before the kill (the publisher was idle),
    /// so any loss would be the source's. A second batch is published across the restart with publisher retries.
    /// </summary>
    [Fact]
    public async Task RunAsync_BrokerKilledMidStreamWithPersistence_ReconnectsAndLosesNoQos1Message()
    {
        await using var broker = await MosquittoPeer.StartAsync("autosave_on_changes false", persistence: true);
        await using var spool = await SpoolHarness.OpenAsync();
        var options = TestOptions.Source(broker, "edge-kill");
        const int backlog = 30_000;
        const int after = 2_000;
        await using (var first = new SourceRunner(new MqttSource(options), spool.Spool))
        {
            await first.WaitConnectedAsync(); // creates the persistent session
        }

        await using var publisher = await TestPublisher.ConnectAsync(broker.Host, broker.Port, "pub");
        await publisher.PublishRangeAsync(_ => "plant/l1/m1/n", 0, backlog, MqttQualityOfServiceLevel.AtLeastOnce);
        await Task.Delay(2500); // autosave_interval 1 s: the backlog is on the broker's disk

        var source = new MqttSource(options);
        await using var runner = new SourceRunner(source, spool.Spool);
        await spool.WaitForAsync(s => s.Count >= 3000, Long, "3,000 of the backlog before the kill");
        await broker.RestartAsync();
        await publisher.PublishRangeAsync(_ => "plant/l1/m1/n", backlog, after, MqttQualityOfServiceLevel.AtLeastOnce);
        var all = await spool.WaitForAsync(s => s.Select(x => x.Value.AsInt64()).Distinct().Count() >= backlog + after, Long, "every id after the broker restart");
        Assert.Equal(backlog + after, all.Select(s => s.Value.AsInt64()).ToHashSet().Count);
        Assert.True(source.GetStatistics().Reconnects >= 1);
        Assert.Equal(SourceLinkState.Connected, source.GetHealth().State);
    }

    [Fact]
    public async Task RunAsync_MosquittoPubQos1_SamplesInSpool()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        await using var runner = new SourceRunner(new MqttSource(TestOptions.Source(broker, "edge-interop", MqttProtocol.V311)), spool.Spool);
        await runner.WaitConnectedAsync();
        for (var i = 0; i < 5; i++)
        {
            await RunToolAsync("mosquitto_pub", "-h", broker.Host, "-p", broker.Port.ToString(), "-q", "1", "-t", "plant/l2/press/temp", "-m", (20.5 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var all = await spool.WaitForAsync(s => s.Count >= 5, Long, "5 values from mosquitto_pub");
        Assert.Equal([20.5, 21.5, 22.5, 23.5, 24.5], all.Select(s => s.Value.AsDouble()));
        Assert.All(all, s => Assert.Equal("s1//l2/press/temp", s.Path.ToString()));
    }

    [Fact]
    public async Task RunAsync_BadPayloads_CountedPerTopicWithReasonAndStreamGoesOn()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        await using var spool = await SpoolHarness.OpenAsync();
        var rules = new[]
        {
            new MqttMappingRule { Topic = "plant/json/{machine}", Site = "s1", Tag = "temp", Format = MqttPayloadFormat.Json },
            TestOptions.PlainRule,
        };
        var source = new MqttSource(TestOptions.Source(broker, "edge-bad", rules: rules));
        await using var runner = new SourceRunner(source, spool.Spool);
        await runner.WaitConnectedAsync();
        await using var publisher = await TestPublisher.ConnectAsync(broker.Host, broker.Port, "pub");
        var q = MqttQualityOfServiceLevel.AtLeastOnce;
        await publisher.PublishOneAsync("plant/json/m1", "{\"value\": 1}", q);
        await publisher.PublishOneAsync("plant/json/m1", "{not json", q);
        await publisher.PublishOneAsync("plant/json/m1", "{\"other\": 2}", q);
        await publisher.PublishBytesAsync("plant/l1/m1/t", [0xff, 0xfe, 0x00], q);
        await publisher.PublishOneAsync("plant/l1/m1/t", "", q);
        await publisher.PublishOneAsync("plant/short", "5", q);
        await publisher.PublishOneAsync("plant/json/m1", "{\"value\": 3}", q);
        var all = await spool.WaitForAsync(s => s.Count >= 2, Long, "the two good values");
        await Task.Delay(300);
        var stats = source.GetStatistics();
        Assert.Equal([1L, 3L], spool.ReadAll().Select(s => s.Value.AsInt64()));
        Assert.Equal(7, stats.MessagesReceived);
        Assert.Equal(5, stats.MessagesRejected);
        Assert.Equal(1, stats.RejectedByReason[MqttRejectReason.InvalidJson]);
        Assert.Equal(1, stats.RejectedByReason[MqttRejectReason.MissingValue]);
        Assert.Equal(1, stats.RejectedByReason[MqttRejectReason.NotUtf8]);
        Assert.Equal(1, stats.RejectedByReason[MqttRejectReason.EmptyPayload]);
        Assert.Equal(1, stats.RejectedByReason[MqttRejectReason.NoMatchingRule]);
        Assert.Equal(2, stats.RejectedByTopic["plant/json/m1"]);
        Assert.Equal(2, stats.RejectedByTopic["plant/l1/m1/t"]);
        Assert.Equal(0, stats.InFlight);
    }

    internal static void AssertExactlyOnce(List<Sample> all, long from, long count)
    {
        var seen = new HashSet<long>();
        var duplicates = 0;
        foreach (var s in all)
        {
            if (!seen.Add(s.Value.AsInt64()))
            {
                duplicates++;
            }
        }

        Assert.Equal(0, duplicates);
        Assert.Equal(count, seen.Count);
        Assert.Equal(from, seen.Min());
        Assert.Equal(from + count - 1, seen.Max());
    }

    internal static async Task<string> RunToolAsync(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
