using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Telemetry.Core;
using Telemetry.Storage;

namespace Telemetry.Benchmarks.Spooling;

/// <summary>
/// The spool's load scenarios (issue 3), each against the real file system in a temp folder under /var/tmp (the disk,
/// not a tmpfs), each printing one "SPOOL-LOAD" line with its figures. Run through <see cref="SpoolLoadBenchmarks"/>.
/// </summary>
internal static class SpoolLoad
{
    public const int BatchSamples = 10_000;
    private const int Tags = 500;
    private static readonly string Root = Environment.GetEnvironmentVariable("SPOOL_BENCH_DIR") ?? "/var/tmp";

    /// <summary>Realistic samples: 500 double tags (random walk), one round per millisecond; batches never change.</summary>
    public static SampleBatch[] MakeBatches(int count, int samplesPerBatch = BatchSamples)
    {
        var random = new Random(42);
        var paths = Enumerable.Range(0, Tags).Select(i => new AssetPath("plant1", "hall2", $"line{i % 4}", $"machine{i % 25}", $"tag{i}")).ToArray();
        var values = new double[Tags];
        var batches = new SampleBatch[count];
        long n = 0;
        const long start = 1_700_000_000_000_000_000;
        for (var b = 0; b < count; b++)
        {
            var batch = new SampleBatch(samplesPerBatch);
            for (var i = 0; i < samplesPerBatch; i++, n++)
            {
                var tag = (int)(n % Tags);
                values[tag] = Math.Round(values[tag] + random.NextDouble() - 0.5, 3);
                var t = start + (n / Tags * 1_000_000);
                batch.Add(new Sample(paths[tag], t, SampleValue.FromDouble(values[tag]), Quality.Good, t + 200_000));
            }

            batches[b] = batch;
        }

        return batches;
    }

    public static string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(Root, $"spool-bench-{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>One writer thread encodes and appends, keeping <paramref name="inFlight"/> appends waiting for their commit.</summary>
    public static async Task<string> AppendThroughputAsync(long totalSamples, int inFlight, CancellationToken cancellationToken)
    {
        var batches = MakeBatches(64);
        var dir = NewDirectory("append");
        try
        {
            await using var spool = await Spool.OpenAsync(new SpoolOptions(dir), cancellationToken: cancellationToken);
            var pending = new Queue<Task>();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            long written = 0;
            for (var i = 0; written < totalSamples; i++)
            {
                if (pending.Count == inFlight)
                {
                    await pending.Dequeue().ConfigureAwait(false);
                }

                pending.Enqueue(spool.WriteAsync(batches[i % batches.Length], cancellationToken).AsTask());
                written += BatchSamples;
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
            var elapsed = watch.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var stats = spool.GetStatistics();
            return Line("append", $"samples={written} seconds={elapsed:F2} samples_per_s={written / elapsed:F0} cpu_s={cpuSeconds:F2} " +
                $"samples_per_cpu_s={written / cpuSeconds:F0} bytes={stats.AppendedBytes} bytes_per_sample={(double)stats.AppendedBytes / written:F2} " +
                $"mb_per_s={stats.AppendedBytes / elapsed / 1e6:F1} in_flight={inFlight}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>16 KiB records appended durably, next to dd's sequential write-with-fdatasync bandwidth on the same disk.</summary>
    public static async Task<string> LargeRecordsAsync(long totalBytes, int inFlight, CancellationToken cancellationToken)
    {
        var dir = NewDirectory("16k");
        try
        {
            var dd = RunDd(dir, "oflag=dsync");
            var ddFdatasync = RunDd(dir, "conv=fdatasync");

            // find the sample count that encodes to a 16 KiB record (records carry their own tag dictionary: not linear)
            var samplesPerRecord = 1400;
            await using (var probe = await Spool.OpenAsync(new SpoolOptions(Path.Combine(dir, "probe")), cancellationToken: cancellationToken))
            {
                for (var attempt = 0; attempt < 8; attempt++)
                {
                    using var one = MakeBatches(1, samplesPerRecord)[0];
                    var before = probe.GetStatistics().AppendedBytes;
                    await probe.WriteAsync(one, cancellationToken).ConfigureAwait(false);
                    var bytes = probe.GetStatistics().AppendedBytes - before;
                    if (Math.Abs(bytes - 16384) < 256)
                    {
                        break;
                    }

                    samplesPerRecord = Math.Max(1, (int)(samplesPerRecord * 16384.0 / bytes));
                }
            }

            var batches = MakeBatches(256, samplesPerRecord);
            await using var spool = await Spool.OpenAsync(new SpoolOptions(Path.Combine(dir, "spool")), cancellationToken: cancellationToken);
            var pending = new Queue<Task>();
            var watch = Stopwatch.StartNew();
            var i = 0;
            while (spool.GetStatistics().AppendedBytes + ((long)pending.Count * 16384) < totalBytes)
            {
                if (pending.Count == inFlight)
                {
                    await pending.Dequeue().ConfigureAwait(false);
                }

                pending.Enqueue(spool.WriteAsync(batches[i++ % batches.Length], cancellationToken).AsTask());
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
            var elapsed = watch.Elapsed.TotalSeconds;
            var stats = spool.GetStatistics();
            var mbps = stats.AppendedBytes / elapsed / 1e6;
            return Line("16k", $"records={stats.AppendedRecords} bytes_per_record={stats.AppendedBytes / Math.Max(1, stats.AppendedRecords)} bytes={stats.AppendedBytes} " +
                $"seconds={elapsed:F2} mb_per_s={mbps:F1} dd_dsync_mb_per_s={dd:F1} dd_fdatasync_mb_per_s={ddFdatasync:F1} " +
                $"ratio_vs_dsync={mbps / dd:P0} ratio_vs_fdatasync={mbps / ddFdatasync:P0}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Paced appends of <paramref name="samplesPerAppend"/> at <paramref name="samplesPerSecond"/>: latency call → durable.</summary>
    public static async Task<string> LatencyAsync(double samplesPerSecond, int samplesPerAppend, TimeSpan duration, TimeSpan groupCommitInterval, CancellationToken cancellationToken)
    {
        var batches = MakeBatches(64, samplesPerAppend);
        var dir = NewDirectory("latency");
        try
        {
            await using var spool = await Spool.OpenAsync(new SpoolOptions(dir) { GroupCommitInterval = groupCommitInterval }, cancellationToken: cancellationToken);
            var latencies = new List<double>(1 << 20);
            var running = new List<Task>();
            var appendsPerSecond = samplesPerSecond / samplesPerAppend;
            var watch = Stopwatch.StartNew();
            long issued = 0;
            while (watch.Elapsed < duration)
            {
                var due = (long)(watch.Elapsed.TotalSeconds * appendsPerSecond);
                for (; issued < due; issued++)
                {
                    running.Add(TimedAppendAsync(spool, batches[(int)(issued % batches.Length)], latencies, cancellationToken));
                }

                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            var elapsed = watch.Elapsed.TotalSeconds;
            latencies.Sort();
            double P(double q) => latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)];
            return Line("latency", $"target_samples_per_s={samplesPerSecond:F0} achieved_samples_per_s={issued * samplesPerAppend / elapsed:F0} " +
                $"appends={latencies.Count} samples_per_append={samplesPerAppend} group_commit_ms={groupCommitInterval.TotalMilliseconds} " +
                $"p50_ms={P(0.50):F2} p90_ms={P(0.90):F2} p99_ms={P(0.99):F2} p999_ms={P(0.999):F2} max_ms={latencies[^1]:F2}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Fills a backlog, reopens (recovery included) and reads it all in order through the forwarder's reader.</summary>
    public static async Task<string> DrainAsync(long totalSamples, bool coldCache, CancellationToken cancellationToken)
    {
        var batches = MakeBatches(64);
        var dir = NewDirectory("drain");
        try
        {
            await FillAsync(dir, batches, totalSamples, cancellationToken).ConfigureAwait(false);
            var cold = coldCache && DropPageCache();
            await using var spool = await Spool.OpenAsync(new SpoolOptions(dir), cancellationToken: cancellationToken);
            using var reader = spool.OpenReader();
            using var batch = new SampleBatch(65536);
            long read = 0;
            var watch = Stopwatch.StartNew();
            while (reader.TryRead(batch, out var result, 65536))
            {
                read += batch.Count;
                spool.Acknowledge(result.FirstSequence, result.LastSequence);
                batch.Clear();
            }

            var elapsed = watch.Elapsed.TotalSeconds;
            return Line("drain", $"samples={read} seconds={elapsed:F2} samples_per_s={read / elapsed:F0} page_cache={(cold ? "dropped" : "warm")}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Writes a backlog of <paramref name="totalBytes"/>, closes, optionally drops the page cache, and times the reopen.</summary>
    public static async Task<string> RestartAsync(long totalBytes, CancellationToken cancellationToken)
    {
        var batches = MakeBatches(16, 60_000);
        var dir = NewDirectory("restart");
        try
        {
            var fill = Stopwatch.StartNew();
            long bytes;
            int segments;
            await using (var spool = await Spool.OpenAsync(new SpoolOptions(dir), cancellationToken: cancellationToken))
            {
                var pending = new Queue<Task>();
                var i = 0;
                while (spool.GetStatistics().AppendedBytes < totalBytes)
                {
                    if (pending.Count == 8)
                    {
                        await pending.Dequeue().ConfigureAwait(false);
                    }

                    pending.Enqueue(spool.WriteAsync(batches[i++ % batches.Length], cancellationToken).AsTask());
                }

                await Task.WhenAll(pending).ConfigureAwait(false);
                bytes = spool.GetStatistics().DiskBytes;
                segments = spool.GetStatistics().Segments;
            }

            var fillSeconds = fill.Elapsed.TotalSeconds;
            var warm = await TimeOpenAsync(dir, cancellationToken).ConfigureAwait(false);
            var dropped = DropPageCache();
            var cold = await TimeOpenAsync(dir, cancellationToken).ConfigureAwait(false);
            return Line("restart", $"backlog_bytes={bytes} segments={segments} fill_seconds={fillSeconds:F1} open_warm_ms={warm.Open:F0} " +
                $"first_read_warm_ms={warm.FirstRead:F0} open_cold_ms={(dropped ? cold.Open.ToString("F0", CultureInfo.InvariantCulture) : "n/a")} " +
                $"first_read_cold_ms={(dropped ? cold.FirstRead.ToString("F0", CultureInfo.InvariantCulture) : "n/a")} backlog_samples={cold.Backlog}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The anchor: the same samples as batched inserts into SQLite in WAL mode, one transaction per batch.</summary>
    public static string Sqlite(long totalSamples, string synchronous)
    {
        var batches = MakeBatches(64);
        var dir = NewDirectory("sqlite");
        try
        {
            var file = Path.Combine(dir, "samples.db");
            using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
            connection.Open();
            Execute(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous};");
            Execute(connection, "CREATE TABLE series(id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL);" +
                "CREATE TABLE samples(series INTEGER NOT NULL, t INTEGER NOT NULL, value REAL, quality INTEGER NOT NULL, received INTEGER NOT NULL);");
            var ids = new Dictionary<AssetPath, long>();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            long written = 0;
            for (var b = 0; written < totalSamples; b++)
            {
                var batch = batches[b % batches.Length];
                using var transaction = connection.BeginTransaction();
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO samples VALUES ($s, $t, $v, $q, $r)";
                var s = insert.Parameters.Add("$s", SqliteType.Integer);
                var t = insert.Parameters.Add("$t", SqliteType.Integer);
                var v = insert.Parameters.Add("$v", SqliteType.Real);
                var q = insert.Parameters.Add("$q", SqliteType.Integer);
                var r = insert.Parameters.Add("$r", SqliteType.Integer);
                insert.Prepare();
                foreach (ref readonly var sample in batch.Samples)
                {
                    if (!ids.TryGetValue(sample.Path, out var id))
                    {
                        using var add = connection.CreateCommand();
                        add.Transaction = transaction;
                        add.CommandText = "INSERT INTO series(path) VALUES ($p) RETURNING id";
                        add.Parameters.AddWithValue("$p", sample.Path.ToString());
                        id = (long)add.ExecuteScalar()!;
                        ids[sample.Path] = id;
                    }

                    s.Value = id;
                    t.Value = sample.SourceTimeNs;
                    v.Value = sample.Value.AsDouble();
                    q.Value = (int)sample.Quality.Level;
                    r.Value = sample.ReceiveTimeNs;
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
                written += batch.Count;
            }

            var elapsed = watch.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            connection.Close();
            SqliteConnection.ClearAllPools();
            var bytes = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
            return Line("sqlite", $"synchronous={synchronous} samples={written} seconds={elapsed:F2} samples_per_s={written / elapsed:F0} " +
                $"samples_per_cpu_s={written / cpuSeconds:F0} bytes={bytes} bytes_per_sample={(double)bytes / written:F2} batch={BatchSamples}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task FillAsync(string dir, SampleBatch[] batches, long totalSamples, CancellationToken cancellationToken)
    {
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir), cancellationToken: cancellationToken);
        var pending = new Queue<Task>();
        long written = 0;
        for (var i = 0; written < totalSamples; i++)
        {
            if (pending.Count == 8)
            {
                await pending.Dequeue().ConfigureAwait(false);
            }

            pending.Enqueue(spool.WriteAsync(batches[i % batches.Length], cancellationToken).AsTask());
            written += batches[i % batches.Length].Count;
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private static async Task<(double Open, double FirstRead, long Backlog)> TimeOpenAsync(string dir, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir), cancellationToken: cancellationToken);
        var open = watch.Elapsed.TotalMilliseconds;
        using var reader = spool.OpenReader();
        using var batch = new SampleBatch(8192);
        reader.TryRead(batch, out _);
        var firstRead = watch.Elapsed.TotalMilliseconds;
        return (open, firstRead, spool.GetStatistics().BacklogSamples);
    }

    private static async Task TimedAppendAsync(Spool spool, SampleBatch batch, List<double> latencies, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await spool.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        lock (latencies)
        {
            latencies.Add(ms);
        }
    }

    /// <summary>dd's sequential write bandwidth (MB/s) of 1 GiB in 1 MiB blocks with the given sync flag, in the spool's folder.</summary>
    private static double RunDd(string dir, string flag)
    {
        var file = Path.Combine(dir, "dd.bin");
        var start = new ProcessStartInfo("dd") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "if=/dev/zero", $"of={file}", "bs=1M", "count=1024", flag })
        {
            start.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        using (var dd = Process.Start(start)!)
        {
            var output = dd.StandardError.ReadToEnd();
            dd.WaitForExit();
            if (dd.ExitCode != 0)
            {
                throw new InvalidOperationException($"dd failed: {output}");
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        File.Delete(file);
        return 1024.0 * 1024 * 1024 / seconds / 1e6;
    }

    /// <summary>sync; echo 3 > /proc/sys/vm/drop_caches (root only); false when not permitted.</summary>
    private static bool DropPageCache()
    {
        try
        {
            using (var sync = Process.Start("sync"))
            {
                sync.WaitForExit();
            }

            File.WriteAllText("/proc/sys/vm/drop_caches", "3");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Line(string scenario, string figures)
    {
        var line = $"SPOOL-LOAD {scenario} {figures}";
        Console.WriteLine(line);
        File.AppendAllText(Path.Combine(Root, "spool-load.txt"), line + Environment.NewLine);
        return line;
    }
}
