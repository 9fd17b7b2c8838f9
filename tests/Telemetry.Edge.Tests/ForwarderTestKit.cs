using Telemetry.Core;
using Telemetry.Storage;

namespace Telemetry.Edge.Tests;

/// <summary>Samples with a unique, checkable identity per (machine, tag, time), and waiting helpers.</summary>
internal static class ForwarderTestKit
{
    public const long BaseTimeNs = 1_790_000_000_000_000_000; // 2026-09-21, whole milliseconds below

    public static readonly string[] Tags = ["speed", "count", "running", "mode"];

    public static List<Sample> MakeSamples(int perSeries, int machines, string site = "plant-a", int timeOffsetMs = 0)
    {
        var samples = new List<Sample>();
        for (var m = 0; m < machines; m++)
        {
            var basePath = new AssetPath(site, "area 1", "line,1", $"m{m}", "speed");
            for (var i = 0; i < perSeries; i++)
            {
                var t = BaseTimeNs + ((long)(i + timeOffsetMs) * 1_000_000);
                samples.Add(new Sample(basePath, t, SampleValue.FromDouble((m * 1000) + i + 0.125), Quality.Good, t));
                samples.Add(new Sample(basePath.WithTag("count"), t, SampleValue.FromInt64((m * 1_000_000L) + i), Quality.Good, t));
                samples.Add(new Sample(basePath.WithTag("running"), t, SampleValue.FromBoolean(i % 2 == 0), Quality.Good, t));
                samples.Add(new Sample(basePath.WithTag("mode"), t, SampleValue.FromString($"mode \"{i}\" ✓"), Quality.Good, t));
            }
        }

        return samples;
    }

    public static async Task AppendAsync(Spool spool, IReadOnlyList<Sample> samples, int batchSize = 97)
    {
        using var batch = new SampleBatch(batchSize);
        for (var i = 0; i < samples.Count; i += batchSize)
        {
            batch.Clear();
            for (var j = i; j < Math.Min(samples.Count, i + batchSize); j++)
            {
                batch.Add(samples[j]);
            }

            await spool.WriteAsync(batch);
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> explain)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not reached within {timeout}: {explain()}");
            }

            await Task.Delay(50);
        }
    }

    public static Task WaitAllAcknowledgedAsync(Spool spool, TimeSpan timeout) =>
        WaitUntilAsync(() => spool.AcknowledgedBelow >= spool.DurableNextSequence, timeout,
            () => $"acknowledged below {spool.AcknowledgedBelow}, durable next {spool.DurableNextSequence}");
}
