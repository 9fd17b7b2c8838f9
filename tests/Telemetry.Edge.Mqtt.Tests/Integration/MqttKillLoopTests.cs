using System.Diagnostics;
using System.Globalization;
using MQTTnet.Protocol;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Tests.Fixtures;
using Telemetry.Storage;
using Telemetry.Testing;
using Telemetry.Testing.Peers;
using Xunit.Abstractions;

namespace Telemetry.Edge.Mqtt.Tests.Integration;

/// <summary>
/// kill -9 loop: an independent publisher sends numbered QoS 1 messages to Mosquitto while a child process (the
/// MQTT source with a persistent session, writing into a spool) is killed at random moments, 25 times. A final
/// run drains the session. Every number the broker acknowledged to the publisher must be in the spool; duplicates
/// from redelivery (written, then killed before the PUBACK) are collapsed by id and counted.
/// </summary>
public sealed class MqttKillLoopTests(ITestOutputHelper output)
{
    private const int Kills = 25;
    private const int Messages = 30_000;

    [Fact]
    public async Task CrashChild_KilledMidStreamRepeatedly_EveryBrokerAcknowledgedIdInSpool()
    {
        await using var broker = await MosquittoPeer.StartAsync();
        using var dir = new TempDirectory("mqtt-kill");
        var child = CrashChildPath();
        var random = new Random(2026);
        const string clientId = "edge-crash";

        // First run creates the persistent session (so the broker queues for it from then on).
        await RunChildAsync(child, broker, dir.Path, clientId, random, killAfterReady: true);
        await using var publisher = await TestPublisher.ConnectAsync(broker.Host, broker.Port, "crash-pub");
        var publishing = Task.Run(async () =>
        {
            for (long id = 0; id < Messages; id += 100)
            {
                await publisher.PublishRangeAsync(_ => "plant/l1/m1/n", id, 100, MqttQualityOfServiceLevel.AtLeastOnce, window: 50);
                await Task.Delay(40);
            }
        });

        var watch = Stopwatch.StartNew();
        for (var cycle = 0; cycle < Kills; cycle++)
        {
            await RunChildAsync(child, broker, dir.Path, clientId, random, killAfterReady: random.Next(8) != 0);
        }

        await publishing;
        var acknowledged = Interlocked.Read(ref publisher.Acknowledged);
        Assert.Equal(Messages, acknowledged);
        var drained = await RunChildAsync(child, broker, dir.Path, clientId, random, killAfterReady: false, drain: true);

        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        using var reader = spool.OpenReader();
        using var batch = new SampleBatch(8192);
        var seen = new HashSet<long>();
        long duplicates = 0;
        while (reader.TryRead(batch, out _))
        {
            foreach (ref readonly var s in batch.Samples)
            {
                if (!seen.Add(s.Value.AsInt64()))
                {
                    duplicates++;
                }
            }

            batch.Clear();
        }

        output.WriteLine($"{Kills} kills in {watch.Elapsed.TotalSeconds:F1} s; {acknowledged} messages acknowledged by the broker; {seen.Count} distinct ids in the spool; {duplicates} duplicates from redelivery collapsed; last run: {drained}");
        var missing = Enumerable.Range(0, Messages).Where(i => !seen.Contains(i)).Take(10).ToList();
        Assert.True(missing.Count == 0, $"missing ids (first 10): {string.Join(", ", missing)}");
        Assert.Equal(Messages, seen.Count);
    }

    /// <summary>Starts the child; kills it (SIGKILL) at a random moment, or lets a drain run end by itself. Returns its last line.</summary>
    private static async Task<string> RunChildAsync(string child, MosquittoPeer broker, string spoolDir, string clientId, Random random, bool killAfterReady, bool drain = false)
    {
        var args = new List<string> { child, broker.Host, broker.Port.ToString(CultureInfo.InvariantCulture), spoolDir, clientId };
        if (drain)
        {
            args.Add("drain");
        }

        var start = new ProcessStartInfo(DotnetHost(), args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = new Process { StartInfo = start };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var last = string.Empty;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            last = e.Data;
            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (drain)
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
                Assert.Equal(0, process.ExitCode);
                return last;
            }

            if (killAfterReady)
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
                await Task.Delay(random.Next(20, 600));
            }
            else
            {
                await Task.Delay(random.Next(0, 400)); // during start-up, spool recovery or CONNECT
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        return last;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string CrashChildPath()
    {
        const string name = "Telemetry.Edge.Mqtt.CrashChild";
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string[] candidates =
        [
            Path.Combine(own.Parent!.Parent!.FullName, name, own.Name, name + ".dll"),
            Path.Combine(AppContext.BaseDirectory, name + ".dll"),
        ];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"Cannot find {name}.dll; looked at: {string.Join(", ", candidates)}. Build tests/{name} first.");
    }
}
