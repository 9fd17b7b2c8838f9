using System.Diagnostics;
using System.Globalization;

namespace Telemetry.IngestLoad;

/// <summary>
/// The live subscriber of the latency run as its own process (this executable's `live-subscriber` command), like a
/// dashboard: it does not share the edge's process (its threads, its CPU share on a busy machine) and its CPU is
/// counted apart. Driven over stdin/stdout: it prints `ready` once subscribed; `measure` and `stop` on its stdin
/// start and end the measured window; then it prints one `result` line and exits.
/// </summary>
public sealed class SubscriberProcess : IDisposable
{
    private readonly Process _process;

    private SubscriberProcess(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static async Task<SubscriberProcess> StartAsync(Uri ingest, string token, int capacity)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Telemetry.IngestLoad.dll"), "live-subscriber", ingest.ToString(), token, capacity.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the live subscriber");
        var subscriber = new SubscriberProcess(process);
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line != "ready")
        {
            subscriber.Dispose();
            throw new InvalidOperationException($"the live subscriber did not start: {line}");
        }

        return subscriber;
    }

    public Task StartMeasuringAsync() => _process.StandardInput.WriteLineAsync("measure");

    /// <summary>Ends the window and the process; returns its figures.</summary>
    public async Task<SubscriberResult> StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return SubscriberResult.Parse(line ?? throw new InvalidOperationException("the live subscriber ended without a result"));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    /// <summary>The `live-subscriber` command (runs in the child).</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        using var http = new HttpClient { BaseAddress = new Uri(args[1]), Timeout = Timeout.InfiniteTimeSpan };
        var live = new LiveSseSubscriber(int.Parse(args[3], CultureInfo.InvariantCulture));
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => live.RunAsync(http, args[2], stop.Token, () => Console.WriteLine("ready")));
        while (await Console.In.ReadLineAsync() is { } command)
        {
            if (command == "measure")
            {
                live.StartMeasuring();
            }
            else if (command == "stop")
            {
                break;
            }
        }

        live.StopMeasuring();
        await stop.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }

        var latencies = live.Latencies;
        latencies.Sort();
        Console.WriteLine(new SubscriberResult(live.Received, live.Dropped, latencies.Count, P(latencies, 0.5), P(latencies, 0.99), P(latencies, 0.999), latencies.Count > 0 ? latencies[^1] : double.NaN).Format());
        return 0;
    }

    private static double P(List<double> l, double q) => l.Count == 0 ? double.NaN : l[Math.Min(l.Count - 1, (int)(q * l.Count))];
}

/// <summary>What the subscriber saw: samples received and dropped by the hub, and the measured latencies (ms).</summary>
public sealed record SubscriberResult(long Received, long Dropped, long Measured, double P50, double P99, double P999, double Max)
{
    public string Format() => string.Create(CultureInfo.InvariantCulture, $"result {Received} {Dropped} {Measured} {P50} {P99} {P999} {Max}");

    public static SubscriberResult Parse(string line)
    {
        var f = line.Split(' ');
        if (f.Length != 8 || f[0] != "result")
        {
            throw new InvalidOperationException($"the live subscriber answered '{line}'");
        }

        static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return new SubscriberResult(long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture), D(f[4]), D(f[5]), D(f[6]), D(f[7]));
    }
}
