using Telemetry.Core;
using Telemetry.Storage.Format;
using Telemetry.Testing;

namespace Telemetry.Storage.Tests;

/// <summary>Bit flips and truncations at seeded random offsets of the last and of a middle segment: detected, exactly counted.</summary>
public class CorruptionTests
{
    private const int Records = 240;
    private const int SamplesPerRecord = 5;

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 25; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task OpenAsync_BitFlipInLastSegment_LosesAndCountsOnlyDamagedRecord(int seed)
    {
        using var dir = new TempDirectory("spool-flip");
        var segments = await WriteSpoolAsync(dir.Path);
        var random = new Random(seed);
        var target = segments[^1];
        var damaged = FlipBits(target, random, flips: 1);

        await AssertOnlyDamagedLostAsync(dir.Path, damaged, expectCutAtTail: damaged.Contains(target.Records[^1].Sequence));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task OpenAsync_BitFlipsInMiddleSegment_LosesAndCountsOnlyDamagedRecords(int seed)
    {
        using var dir = new TempDirectory("spool-flip");
        var segments = await WriteSpoolAsync(dir.Path);
        var random = new Random(seed);
        var target = segments[1 + random.Next(segments.Count - 2)];
        var damaged = FlipBits(target, random, flips: 1 + (seed % 3));

        await AssertOnlyDamagedLostAsync(dir.Path, damaged, expectCutAtTail: false);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task OpenAsync_TruncatedLastSegment_CutsTornRecordOnly(int seed)
    {
        using var dir = new TempDirectory("spool-trunc");
        var segments = await WriteSpoolAsync(dir.Path);
        var target = segments[^1];
        var length = new Random(seed).Next(1, (int)new FileInfo(target.Path).Length);
        using (var f = File.OpenHandle(target.Path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(f, length);
        }

        var torn = target.Records.Where(r => r.Offset < length && r.Offset + r.Length > length).ToList();
        var gone = target.Records.Where(r => r.Offset >= length).Select(r => r.Sequence).ToHashSet();
        var expected = segments.SelectMany(s => s.Records).Where(r => !gone.Contains(r.Sequence) && !torn.Any(t => t.Sequence == r.Sequence)).ToList();

        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path));
        using var reader = spool.OpenReader();
        var numbers = TestSamples.DrainNumbers(reader);
        var stats = spool.GetStatistics();

        Assert.Equal(expected.SelectMany(r => r.Numbers), numbers);
        Assert.Equal(torn.Count, stats.RecordsCutAtRecovery);
        Assert.Equal(0, stats.RecordsSkippedCorrupt);
        await AssertAppendsContinueAsync(spool, reader);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task TryRead_TruncatedMiddleSegment_SkipsAndCountsRemovedRecords(int seed)
    {
        using var dir = new TempDirectory("spool-trunc");
        var segments = await WriteSpoolAsync(dir.Path);
        var random = new Random(seed);
        var target = segments[1 + random.Next(segments.Count - 2)];
        var length = random.Next(0, (int)new FileInfo(target.Path).Length);
        using (var f = File.OpenHandle(target.Path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(f, length);
        }

        var lost = target.Records.Where(r => r.Offset + r.Length > length).Select(r => r.Sequence).ToHashSet();

        await using var spool = await Spool.OpenAsync(TestSamples.Options(dir.Path));
        using var reader = spool.OpenReader();
        var numbers = TestSamples.DrainNumbers(reader);
        var stats = spool.GetStatistics();

        Assert.Equal(segments.SelectMany(s => s.Records).Where(r => !lost.Contains(r.Sequence)).SelectMany(r => r.Numbers), numbers);
        Assert.Equal(lost.Count, stats.RecordsSkippedCorrupt);
        Assert.Equal(0, stats.RecordsCutAtRecovery);
    }

    private static async Task AssertOnlyDamagedLostAsync(string directory, HashSet<long> damaged, bool expectCutAtTail)
    {
        var all = ReadLayout(directory, original: true);
        await using var spool = await Spool.OpenAsync(TestSamples.Options(directory));
        using var reader = spool.OpenReader();
        var numbers = TestSamples.DrainNumbers(reader);
        var stats = spool.GetStatistics();

        Assert.Equal(all.SelectMany(s => s.Records).Where(r => !damaged.Contains(r.Sequence)).SelectMany(r => r.Numbers), numbers);
        Assert.Equal(damaged.Count, stats.RecordsCutAtRecovery + stats.RecordsSkippedCorrupt);
        Assert.Equal(expectCutAtTail ? 1 : 0, stats.RecordsCutAtRecovery);
        await AssertAppendsContinueAsync(spool, reader);
    }

    private static async Task AssertAppendsContinueAsync(Spool spool, SpoolReader reader)
    {
        using var batch = TestSamples.Numbered(1_000_000, 3);
        await spool.WriteAsync(batch);
        Assert.Equal([1_000_000, 1_000_001, 1_000_002], TestSamples.DrainNumbers(reader));
    }

    /// <summary>Flips one random bit in each of <paramref name="flips"/> distinct records; returns their sequences.</summary>
    private static HashSet<long> FlipBits(SegmentLayout segment, Random random, int flips)
    {
        var bytes = File.ReadAllBytes(segment.Path);
        var damaged = new HashSet<long>();
        while (damaged.Count < flips)
        {
            var record = segment.Records[random.Next(segment.Records.Count)];
            if (!damaged.Add(record.Sequence))
            {
                continue;
            }

            var offset = record.Offset + random.Next(record.Length);
            bytes[offset] ^= (byte)(1 << random.Next(8));
        }

        File.WriteAllBytes(segment.Path, bytes);
        Original[segment.Path] = segment;
        return damaged;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SegmentLayout> Original = new();

    private static async Task<List<SegmentLayout>> WriteSpoolAsync(string directory)
    {
        await using (var spool = await Spool.OpenAsync(TestSamples.Options(directory) with { SegmentBytes = 8192 }))
        {
            // appended in call order without awaiting each: group commit shares the fsyncs
            var batches = Enumerable.Range(0, Records).Select(i => TestSamples.Numbered(i * SamplesPerRecord, SamplesPerRecord)).ToList();
            await Task.WhenAll(batches.Select(b => spool.WriteAsync(b).AsTask()));
            batches.ForEach(b => b.Dispose());
        }

        var layout = ReadLayout(directory, original: false);
        Assert.True(layout.Count >= 4, $"{layout.Count} segments");
        foreach (var segment in layout)
        {
            Original[segment.Path] = segment;
        }

        return layout;
    }

    private static List<SegmentLayout> ReadLayout(string directory, bool original)
    {
        var result = new List<SegmentLayout>();
        foreach (var path in Directory.GetFiles(directory, "*.seg").Order(StringComparer.Ordinal))
        {
            if (original)
            {
                result.Add(Original[path]);
                continue;
            }

            var bytes = File.ReadAllBytes(path);
            var records = new List<RecordLayout>();
            var decoder = new SamplePayloadDecoder();
            var offset = 0;
            using var batch = new SampleBatch();
            while (offset < bytes.Length)
            {
                Assert.Equal(RecordReadStatus.Ok, RecordCodec.TryRead(bytes.AsSpan(offset), out var header));
                batch.Clear();
                decoder.Decode(bytes.AsSpan(offset + RecordCodec.HeaderSize, header.PayloadLength), batch);
                records.Add(new RecordLayout(header.Sequence, offset, header.TotalLength, batch.Samples.ToArray().Select(s => s.Value.AsInt64()).ToList()));
                offset += header.TotalLength;
            }

            result.Add(new SegmentLayout(path, records));
        }

        return result;
    }

    private sealed record RecordLayout(long Sequence, int Offset, int Length, List<long> Numbers);

    private sealed record SegmentLayout(string Path, List<RecordLayout> Records);
}
