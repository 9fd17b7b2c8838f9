using System.Net;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;

namespace Telemetry.Edge.Tests;

/// <summary>Back-dated plant data, fresh samples, and a scripted datacenter that records which records it got.</summary>
internal static class LiveFirstTestKit
{
    public static readonly string[] Tags = ["speed", "count", "running", "mode"];

    /// <summary>
    /// <paramref name="minutes"/> of plant data every <paramref name="stepMs"/> for each machine and tag, received
    /// (and stamped) from <paramref name="startNs"/> on: what a spool holds after an outage of that length.
    /// </summary>
    public static List<Sample> Plant(int machines, double minutes, int stepMs, long startNs, string site = "plant-a")
    {
        var steps = (int)(minutes * 60_000 / stepMs);
        var samples = new List<Sample>(steps * machines * Tags.Length);
        for (var i = 0; i < steps; i++)
        {
            var t = startNs + ((long)i * stepMs * 1_000_000);
            for (var m = 0; m < machines; m++)
            {
                var path = new AssetPath(site, "area-1", "line-1", $"m{m}", "speed");
                samples.Add(new Sample(path, t, SampleValue.FromDouble((m * 1000) + i + 0.5), Quality.Good, t));
                samples.Add(new Sample(path.WithTag("count"), t, SampleValue.FromInt64((m * 1_000_000L) + i), Quality.Good, t));
                samples.Add(new Sample(path.WithTag("running"), t, SampleValue.FromBoolean(i % 2 == 0), Quality.Good, t));
                samples.Add(new Sample(path.WithTag("mode"), t, SampleValue.FromString($"mode {i % 5}"), Quality.Good, t));
            }
        }

        return samples;
    }

    /// <summary>One fresh reading of a machine (all tags), received at <paramref name="receiveNs"/>, source time <paramref name="timeNs"/>.</summary>
    public static SampleBatch Fresh(long timeNs, long receiveNs, int index, string site = "plant-a", string machine = "fresh")
    {
        var batch = new SampleBatch(Tags.Length);
        var path = new AssetPath(site, "area-1", "line-1", machine, "speed");
        batch.Add(new Sample(path, timeNs, SampleValue.FromDouble(index + 0.25), Quality.Good, receiveNs));
        batch.Add(new Sample(path.WithTag("count"), timeNs, SampleValue.FromInt64(index), Quality.Good, receiveNs));
        batch.Add(new Sample(path.WithTag("running"), timeNs, SampleValue.FromBoolean(true), Quality.Good, receiveNs));
        batch.Add(new Sample(path.WithTag("mode"), timeNs, SampleValue.FromString("fresh"), Quality.Good, receiveNs));
        return batch;
    }

    /// <summary>Parses "first-last" (the spool range header).</summary>
    public static (long First, long Last) ParseRange(string header)
    {
        var dash = header.IndexOf('-', StringComparison.Ordinal);
        Assert.True(dash > 0, $"range header '{header}' is not first-last");
        var first = long.Parse(header.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture);
        var last = long.Parse(header.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(last >= first, $"range header '{header}': last before first");
        return (first, last);
    }

    /// <summary>The ranges, sorted, must cover 0..count-1 with no record twice.</summary>
    public static void AssertEveryRecordOnce(IEnumerable<(long First, long Last)> ranges, long count)
    {
        long next = 0;
        foreach (var (first, last) in ranges.OrderBy(r => r.First))
        {
            Assert.True(first == next, $"records {next}..{first - 1} missing or overlapping before range {first}-{last}");
            next = last + 1;
        }

        Assert.Equal(count, next);
    }

    /// <summary>What a datacenter saw: one entry per request it answered with 2xx.</summary>
    public sealed record Received(string Range, bool Fresh, string[] Lines);

    /// <summary>
    /// Stands in for the datacenter (bodies must be plain, Gzip off): records every request and answers as
    /// <see cref="Answer"/> says (204 by default). <see cref="Hold"/> keeps matching requests waiting until the test
    /// lets them go, so it can see live data overtake the backlog.
    /// </summary>
    public sealed class ScriptedDatacenter : HttpMessageHandler
    {
        private readonly Lock _lock = new();
        private readonly List<Received> _delivered = [];
        private readonly List<(Func<string, bool> Matches, Task Until)> _holds = [];
        private int _requests;
        private int _held;

        public TaskCompletionSource FreshSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);


        public static bool IsFresh(string body) => body.Contains("machine=fresh", StringComparison.Ordinal);

        /// <summary>Request number (1-based) → a failure answer, or null for 204.</summary>
        public Func<int, HttpResponseMessage?> Answer { get; set; } = _ => null;

        public int HeldRequests => Volatile.Read(ref _held);

        public int Requests => Volatile.Read(ref _requests);

        /// <summary>Requests whose body <paramref name="matches"/> wait for <paramref name="until"/> before they are answered.</summary>
        public void Hold(Func<string, bool> matches, Task until)
        {
            lock (_lock)
            {
                _holds.Add((matches, until));
            }
        }

        public List<Received> Delivered
        {
            get
            {
                lock (_lock)
                {
                    return [.. _delivered];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var number = Interlocked.Increment(ref _requests);
            var range = request.Headers.GetValues(DatacenterClient.SpoolRangeHeader).Single();
            Assert.Equal("edge-lanes", request.Headers.GetValues(DatacenterClient.EdgeHeader).Single());
            if (Answer(number) is { } failure)
            {
                return failure;
            }

            var fresh = body.Contains("machine=fresh", StringComparison.Ordinal);
            if (fresh)
            {
                FreshSeen.TrySetResult();
            }

            Task? until;
            lock (_lock)
            {
                until = _holds.Find(h => h.Matches(body)).Until;
            }

            if (until is { IsCompleted: false })
            {
                Interlocked.Increment(ref _held);
                try
                {
                    await until.WaitAsync(cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref _held);
                }
            }

            lock (_lock)
            {
                _delivered.Add(new Received(range, fresh, body.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            }

            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
    }

    public static DatacenterOptions Options(BacklogOptions backlog) => new()
    {
        Kind = DatacenterKind.InfluxDb1,
        BaseUri = new Uri("http://127.0.0.1:9/"),
        EdgeId = "edge-lanes",
        Database = "plant",
        Gzip = false,
        MaxBatchSamples = 1000,
        MaxInFlight = 4,
        MaxRetryDelay = TimeSpan.FromMilliseconds(300),
        RequestTimeout = TimeSpan.FromSeconds(10),
        Backlog = backlog,
    };

    public static async Task AppendAsync(Spool spool, IReadOnlyList<Sample> samples, int batchSize = 100)
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
}
