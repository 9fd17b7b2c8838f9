using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Telemetry.Core;
using Telemetry.Edge.Mqtt;
using Telemetry.Storage;

namespace Telemetry.Benchmarks.Mqtt;

/// <summary>
/// End-to-end MQTT ingest against anchors in the same run (needs Debian `mosquitto` and `mosquitto-clients`).
/// One operation: `mosquitto_pub -l` sends <see cref="Messages"/> 64 B JSON messages; `mosquitto_sub -C N` (C) and
/// our receiver (into a real spool, counted when durable) both receive them. Target Mosquitto: Mosquitto broker,
/// our MqttSource subscribed next to mosquitto_sub. Target Embedded: our EmbeddedMqttBroker is the broker (and the
/// ingest path), mosquitto_sub subscribes to it. Each op prints one "MQTT-LOAD" line with the rates and our CPU
/// per message; the BenchmarkDotNet time is the slower of the two receivers.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class MqttIngestLoadBenchmarks
{
    private readonly List<string> _lines = [];
    private string _dir = string.Empty;
    private string _payloadFile = string.Empty;
    private Process? _mosquitto;
    private Spool? _spool;
    private CountingSink? _sink;
    private CancellationTokenSource? _stop;
    private Task? _run;
    private ISampleSource? _receiver;
    private int _port;

    [Params("Mosquitto", "Embedded")]
    public string Target { get; set; } = "Mosquitto";

    [Params(0, 1)]
    public int Qos { get; set; }

    /// <summary>
    /// mosquitto_pub -l stops after 65,535 messages at QoS 1/2 (PEERS.md). The embedded broker at QoS 1 releases
    /// each PUBACK only after its spool commit, so one publisher's rate is bounded by its in-flight window
    /// (mosquitto_pub: 20) per commit: a smaller run there.
    /// </summary>
    public int Messages => Qos == 0 ? 100_000 : Target == "Embedded" ? 20_000 : 60_000;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("mqtt-load").FullName;
        _payloadFile = Path.Combine(_dir, "payload.txt");
        var text = new StringBuilder();
        for (var i = 0; i < Messages; i++)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"value\":{i * 0.001:F3},\"ts\":{1_700_000_000_000L + i}}}");
            text.Append(line.PadRight(64 - 1, ' ')).Append('\n');
        }

        File.WriteAllText(_payloadFile, text.ToString());
        _port = FreePort();
        _spool = Spool.OpenAsync(new SpoolOptions(Path.Combine(_dir, "spool"))).GetAwaiter().GetResult();
        _sink = new CountingSink(_spool);
        var rules = new[]
        {
            new MqttMappingRule { Topic = "load/{line}/{machine}", Site = "bench", Tag = "value", Format = MqttPayloadFormat.Json, Json = new MqttJsonMapping { ValuePath = "value", TimestampPath = "ts" } },
        };
        if (Target == "Mosquitto")
        {
            var config = Path.Combine(_dir, "mosquitto.conf");
            File.WriteAllText(config, $"listener {_port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\npersistence false\nlog_dest none\n" + (Environment.UserName == "root" ? "user root\n" : string.Empty));
            _mosquitto = Process.Start(new ProcessStartInfo("mosquitto", ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            WaitListening(_port);
            _receiver = new MqttSource(new MqttSourceOptions
            {
                Name = "load",
                Host = "127.0.0.1",
                Port = _port,
                ClientId = "load-source",
                Subscriptions = [new MqttSubscription("load/#", (MqttQos)Qos)],
                Rules = rules,
            });
        }
        else
        {
            _receiver = new EmbeddedMqttBroker(new EmbeddedBrokerOptions { Port = _port, AllowAnonymous = true, Rules = rules, MaxPendingMessagesPerClient = 1_000_000 });
        }

        _stop = new CancellationTokenSource();
        _run = _receiver.RunAsync(_sink, _stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_receiver.GetHealth().State != SourceLinkState.Connected && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
    }

    [Benchmark]
    public void PublishAndReceive()
    {
        var n = Messages;
        var sub = Process.Start(new ProcessStartInfo("mosquitto_sub", ["-h", "127.0.0.1", "-p", $"{_port}", "-q", $"{Qos}", "-t", "load/#", "-C", $"{n}", "-W", "300"]) { RedirectStandardOutput = true })!;
        var drain = sub.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        Thread.Sleep(300); // let it subscribe
        var baseline = _sink!.Durable;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var pub = Process.Start(new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", $"{_port}", "-q", $"{Qos}", "-t", "load/l1/m1", "-l"]) { RedirectStandardInput = true })!;
        using (var input = File.OpenRead(_payloadFile))
        {
            input.CopyTo(pub.StandardInput.BaseStream);
        }

        pub.StandardInput.Close();
        pub.WaitForExit();
        var published = watch.Elapsed;
        TimeSpan? subDone = null;
        TimeSpan? ourDone = null;
        var deadline = watch.Elapsed + TimeSpan.FromSeconds(120);
        while ((subDone is null || ourDone is null) && watch.Elapsed < deadline)
        {
            if (subDone is null && sub.HasExited)
            {
                subDone = watch.Elapsed;
            }

            if (ourDone is null && _sink.Durable - baseline >= n)
            {
                ourDone = watch.Elapsed;
            }

            Thread.Sleep(1);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        if (!sub.HasExited)
        {
            sub.Kill();
        }

        drain.Wait(TimeSpan.FromSeconds(5));
        var ours = _sink.Durable - baseline;
        var subRate = subDone is { } s ? n / s.TotalSeconds : 0;
        var ourRate = ourDone is { } o ? n / o.TotalSeconds : ours / watch.Elapsed.TotalSeconds;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"MQTT-LOAD target={Target} qos={Qos} n={n} published={n / published.TotalSeconds:F0}/s mosquitto_sub={subRate:F0}/s ours(durable)={ourRate:F0}/s ({ours} of {n}) ratio={(subRate > 0 ? ourRate / subRate : 0):P1} cpu={cpu.TotalMilliseconds * 1000 / n:F1}us/msg");
        _lines.Add(line);
        Console.WriteLine(line);
        sub.Dispose();
        pub.Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop?.Cancel();
        try
        {
            _run?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }

        _spool?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_mosquitto is { HasExited: false })
        {
            _mosquitto.Kill();
        }

        _mosquitto?.Dispose();
        File.AppendAllLines(Path.Combine(Path.GetTempPath(), "mqtt-load-results.txt"), _lines);
        Directory.Delete(_dir, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitListening(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Counts samples once the spool made them durable.</summary>
    private sealed class CountingSink(Spool spool) : ISampleSink
    {
        private long _durable;

        public long Durable => Interlocked.Read(ref _durable);

        public async ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default)
        {
            await spool.AppendAsync(batch, cancellationToken);
            Interlocked.Add(ref _durable, batch.Count);
        }
    }
}
