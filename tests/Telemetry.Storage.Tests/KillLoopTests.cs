using System.Diagnostics;
using System.Globalization;
using Telemetry.Core;
using Telemetry.Testing;
using Xunit.Abstractions;

namespace Telemetry.Storage.Tests;

/// <summary>
/// kill -9 loop: a child process appends numbered samples at full speed and is killed at random moments; after each
/// kill a checker opens the spool and finds every number whose append had completed, intact, in order, with no
/// duplicate, and nothing at or below the acknowledged cursor delivered again.
/// </summary>
public class KillLoopTests(ITestOutputHelper output)
{
    private const int Kills = 200;

    [Fact]
    public async Task CrashChild_KilledTwoHundredTimes_EveryCompletedAppendSurvivesInOrder()
    {
        using var dir = new TempDirectory("spool-kill");
        var child = CrashChildPath();
        var random = new Random(2026);
        long next = 0;           // first number the next child appends
        long firstUnacked = 0;   // every number below it was acknowledged to the spool
        long completedTotal = 0;
        var stopwatch = Stopwatch.StartNew();
        var cutTotal = 0L;
        for (var cycle = 0; cycle < Kills; cycle++)
        {
            var lastCompleted = await RunAndKillAsync(child, dir.Path, next, random);
            Assert.True(lastCompleted < 0 || lastCompleted >= next - 1, $"cycle {cycle}: child printed {lastCompleted} below its start {next}");

            await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path) { SegmentBytes = 64 * 1024, GroupCommitInterval = TimeSpan.Zero });
            cutTotal += spool.GetStatistics().RecordsCutAtRecovery;
            using var reader = spool.OpenReader();
            using var batch = new SampleBatch(4096);
            var expected = firstUnacked;
            var results = new List<(SpoolReadResult Result, long LastNumber)>();
            while (reader.TryRead(batch, out var result, maxSamples: 4096))
            {
                foreach (ref readonly var s in batch.Samples)
                {
                    var n = s.Value.AsInt64();
                    Assert.True(n == expected, $"cycle {cycle}: read {n}, expected {expected} (gap, duplicate or reorder)");
                    Assert.Equal(n, s.SourceTimeNs);
                    expected++;
                }

                results.Add((result, expected - 1));
                batch.Clear();
            }

            Assert.True(expected - 1 >= lastCompleted, $"cycle {cycle}: child completed up to {lastCompleted} but the spool ends at {expected - 1}");
            Assert.Equal(0, spool.GetStatistics().RecordsSkippedCorrupt);
            completedTotal += Math.Max(0, lastCompleted - next + 1);
            next = expected;

            // acknowledge a random prefix of what was read; it must never come back
            if (results.Count > 0)
            {
                var upTo = results[random.Next(results.Count)];
                spool.Acknowledge(results[0].Result.FirstSequence, upTo.Result.LastSequence);
                firstUnacked = upTo.LastNumber + 1;
            }
        }

        output.WriteLine($"{Kills} kills in {stopwatch.Elapsed.TotalSeconds:F1} s; {completedTotal} completed samples checked; {next} numbers written; {cutTotal} torn records cut at recovery");
        Assert.True(completedTotal > 0);
    }

    /// <summary>Starts the child, kills it (SIGKILL) at a random moment, returns the last number it reported durable (-1: none).</summary>
    private static async Task<long> RunAndKillAsync(string child, string directory, long first, Random random)
    {
        var start = new ProcessStartInfo(DotnetHost(), [child, directory, first.ToString(CultureInfo.InvariantCulture), random.Next().ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_TieredPGO"] = "0";
        using var process = new Process { StartInfo = start };
        long last = -1;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
            else if (long.TryParse(e.Data, CultureInfo.InvariantCulture, out var n))
            {
                Interlocked.Exchange(ref last, n);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (random.Next(10) == 0)
            {
                await Task.Delay(random.Next(0, 150)); // sometimes during start-up and recovery
            }
            else
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
                await Task.Delay(random.Next(5, 120));
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        process.WaitForExit(); // drains the output events
        return Interlocked.Read(ref last);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The child's dll: built by the ProjectReference next to this project's output (artifacts/bin/&lt;project&gt;/&lt;config&gt;/).</summary>
    internal static string CrashChildPath()
    {
        const string name = "Telemetry.Storage.CrashChild";
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string[] candidates =
        [
            Path.Combine(own.Parent!.Parent!.FullName, name, own.Name, name + ".dll"),             // artifacts layout
            Path.Combine(AppContext.BaseDirectory, name + ".dll"),
        ];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"Cannot find {name}.dll; looked at: {string.Join(", ", candidates)}. Build tests/{name} first.");
    }
}
