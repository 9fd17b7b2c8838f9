using Telemetry.Core;

namespace Telemetry.Storage.Tests;

/// <summary>Samples that carry a unique number (value and source time), so checkers can find every one.</summary>
internal static class TestSamples
{
    public const long BaseTimeNs = 1_700_000_000_000_000_000;

    public static AssetPath Counter(int writer = 0) => new("plant", "area", "line1", $"m{writer}", "counter");

    public static SampleBatch Numbered(long first, int count, int writer = 0)
    {
        var path = Counter(writer);
        var batch = new SampleBatch(count);
        for (var i = 0; i < count; i++)
        {
            var n = first + i;
            batch.Add(new Sample(path, BaseTimeNs + (n * 1_000_000), SampleValue.FromInt64(n), Quality.Good, BaseTimeNs + (n * 1_000_000) + 250_000));
        }

        return batch;
    }

    public static SpoolOptions Options(string directory, SimulatedFileSystem? fs = null) => new(directory)
    {
        GroupCommitInterval = TimeSpan.Zero,
        CheckpointInterval = TimeSpan.Zero,
        FileSystem = fs ?? (Telemetry.Storage.IO.ISpoolFileSystem)Telemetry.Storage.IO.PhysicalSpoolFileSystem.Instance,
    };

    /// <summary>Reads every durable record from the reader's position; returns the numbers (Int64 values) in order.</summary>
    public static List<long> DrainNumbers(SpoolReader reader, List<SpoolReadResult>? results = null)
    {
        var numbers = new List<long>();
        using var batch = new SampleBatch(1024);
        while (true)
        {
            batch.Clear();
            if (!reader.TryRead(batch, out var result))
            {
                return numbers;
            }

            results?.Add(result);
            foreach (ref readonly var sample in batch.Samples)
            {
                numbers.Add(sample.Value.AsInt64());
            }
        }
    }
}
