using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;
using Telemetry.Testing;
using static Telemetry.Edge.Tests.LiveFirstTestKit;

namespace Telemetry.Edge.Tests;

/// <summary>
/// Live first after an outage, lane by lane, against a scripted datacenter (no store, no timing assertions): which
/// lane a batch takes, that the lanes' spool ranges never overlap and cover every record, and that both lanes
/// go through the same retry policy.
/// </summary>
public class LaneSchedulingTests
{
    private static long BackDated => UnixTime.Now(TimeProvider.System) - (20L * 60 * 1_000_000_000);

    private static long Now => UnixTime.Now(TimeProvider.System);

    /// <summary>Where the fake clocks of the pacer and drain-rate tests start.</summary>
    private static readonly DateTimeOffset ClockStart = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Forward_BacklogHeldBack_FreshSamplesOvertakeIt()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var backlog = Plant(machines: 2, minutes: 10, stepMs: 1000, BackDated); // 4,800 samples
        await AppendAsync(spool, backlog);
        using var datacenter = new ScriptedDatacenter();
        datacenter.Hold(body => !ScriptedDatacenter.IsFresh(body), datacenter.FreshSeen.Task);
        using var forwarder = new Forwarder(spool, Options(new BacklogOptions()), NullLogger<Forwarder>.Instance, handler: datacenter);
        await forwarder.StartAsync(CancellationToken.None);

        // the backlog fills every slot but the one kept for live data, and is held there
        await ForwarderTestKit.WaitUntilAsync(() => datacenter.HeldRequests == 3, TimeSpan.FromSeconds(20), () => $"held {datacenter.HeldRequests}");
        Assert.Equal(BacklogLaneState.Draining, forwarder.Status.BacklogLane);
        Assert.True(forwarder.Status.BacklogSamplesRemaining > 0);
        using (var fresh = Fresh(Now, Now, 0))
        {
            await spool.WriteAsync(fresh);
        }

        await datacenter.FreshSeen.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
        await ForwarderTestKit.WaitUntilAsync(() => forwarder.Status.BacklogLane == BacklogLaneState.Inactive, TimeSpan.FromSeconds(10), () => forwarder.Status.BacklogLane.ToString());
        await forwarder.StopAsync(CancellationToken.None);

        var delivered = datacenter.Delivered;
        var firstFresh = delivered.FindIndex(r => r.Fresh);
        Assert.True(delivered.Skip(firstFresh + 1).Any(r => !r.Fresh), "backlog requests were answered after the fresh one");
        AssertEveryRecordOnce(delivered.Select(r => ParseRange(r.Range)), spool.DurableNextSequence);
        AssertEverySampleOnce(delivered, backlog.Count + 4);
        Assert.Equal(backlog.Count, forwarder.Status.BacklogDeliveredSamples);
        Assert.Equal(0, forwarder.Status.BacklogSamplesRemaining);
        Assert.NotNull(forwarder.Status.LastLiveLatency);
    }

    [Fact]
    public async Task Forward_SecondOutageWhileDraining_LiveLaneStartsAgainAtHeadAndEveryRecordOnce()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var first = Plant(machines: 2, minutes: 10, stepMs: 1000, BackDated);
        await AppendAsync(spool, first);
        using var datacenter = new ScriptedDatacenter();
        var releaseFirst = new TaskCompletionSource();
        var releaseStall = new TaskCompletionSource();
        datacenter.Hold(body => body.Contains("site=plant-a", StringComparison.Ordinal) && !ScriptedDatacenter.IsFresh(body), releaseFirst.Task);
        datacenter.Hold(body => body.Contains("machine=stall", StringComparison.Ordinal), releaseStall.Task);
        using var forwarder = new Forwarder(spool, Options(new BacklogOptions()), NullLogger<Forwarder>.Instance, handler: datacenter);
        await forwarder.StartAsync(CancellationToken.None);
        await ForwarderTestKit.WaitUntilAsync(() => datacenter.HeldRequests == 3, TimeSpan.FromSeconds(20), () => $"held {datacenter.HeldRequests}");

        // the second outage: the live lane's request hangs while more data piles up behind it
        using (var stall = Fresh(Now, Now, 0, site: "plant-c", machine: "stall"))
        {
            await spool.WriteAsync(stall);
        }

        await ForwarderTestKit.WaitUntilAsync(() => datacenter.HeldRequests == 4, TimeSpan.FromSeconds(20), () => $"held {datacenter.HeldRequests}");
        var second = Plant(machines: 2, minutes: 5, stepMs: 1000, BackDated + (11L * 60 * 1_000_000_000), site: "plant-b");
        await AppendAsync(spool, second);
        releaseStall.SetResult();

        // the live lane reads the second backlog, finds it behind and starts again at the head: fresh data still goes first
        await ForwarderTestKit.WaitUntilAsync(() => datacenter.Delivered.Count >= 2, TimeSpan.FromSeconds(20), () => $"{datacenter.Delivered.Count} delivered");
        using (var fresh = Fresh(Now, Now, 0))
        {
            await spool.WriteAsync(fresh);
        }

        await datacenter.FreshSeen.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(datacenter.Delivered.Sum(r => r.Lines.Length) < 4 + 1000 + 4 + 1, "more than one batch of the second backlog went on the live lane");
        Assert.Equal(BacklogLaneState.Draining, forwarder.Status.BacklogLane);
        Assert.True(forwarder.Status.BacklogSamplesRemaining > second.Count / 2, $"remaining {forwarder.Status.BacklogSamplesRemaining}");
        releaseFirst.SetResult();

        await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
        await ForwarderTestKit.WaitUntilAsync(() => forwarder.Status.BacklogLane == BacklogLaneState.Inactive, TimeSpan.FromSeconds(10), () => forwarder.Status.BacklogLane.ToString());
        using (var after = Fresh(Now, Now, 1))
        {
            await spool.WriteAsync(after); // one lane again: delivered by the main reader
        }

        await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
        await forwarder.StopAsync(CancellationToken.None);

        var delivered = datacenter.Delivered;
        AssertEveryRecordOnce(delivered.Select(r => ParseRange(r.Range)), spool.DurableNextSequence);
        AssertEverySampleOnce(delivered, first.Count + second.Count + 12);

        // the batch that showed the second outage went on the live lane's slot (the backlog had all of its own)
        Assert.InRange(forwarder.Status.BacklogDeliveredSamples, first.Count + second.Count - 1000, first.Count + second.Count - 1);
    }

    [Fact]
    public async Task Forward_LiveFirstOff_OneLaneInSpoolOrder()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var backlog = Plant(machines: 2, minutes: 5, stepMs: 1000, BackDated);
        await AppendAsync(spool, backlog);
        using var datacenter = new ScriptedDatacenter();
        using var forwarder = new Forwarder(spool, Options(new BacklogOptions { LiveFirst = false }) with { MaxInFlight = 1 },
            NullLogger<Forwarder>.Instance, handler: datacenter);
        await forwarder.StartAsync(CancellationToken.None);
        await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
        await forwarder.StopAsync(CancellationToken.None);

        var ranges = datacenter.Delivered.Select(r => ParseRange(r.Range)).ToList();
        Assert.Equal(ranges.OrderBy(r => r.First), ranges); // one request at a time, in spool order
        AssertEveryRecordOnce(ranges, spool.DurableNextSequence);
        Assert.Equal(BacklogLaneState.Disabled, forwarder.Status.BacklogLane);
        Assert.Equal(0, forwarder.Status.BacklogDeliveredSamples);
    }

    [Fact]
    public async Task Forward_TooManyRequestsAndUnauthorizedOnBothLanes_RetriedUntilEveryRecordOnce()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var backlog = Plant(machines: 2, minutes: 10, stepMs: 1000, BackDated);
        await AppendAsync(spool, backlog);
        var unauthorized = true;
        using var datacenter = new ScriptedDatacenter();
        datacenter.Answer = n =>
        {
            if (Volatile.Read(ref unauthorized))
            {
                return new HttpResponseMessage(HttpStatusCode.Unauthorized);
            }

            if (n % 3 != 0)
            {
                return null;
            }

            var busy = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMilliseconds(50));
            return busy;
        };
        using var forwarder = new Forwarder(spool, Options(new BacklogOptions()), NullLogger<Forwarder>.Instance, handler: datacenter);
        await forwarder.StartAsync(CancellationToken.None);

        // 401: alert and keep buffering, on the backlog lane and the live lane alike
        await ForwarderTestKit.WaitUntilAsync(() => forwarder.Status.State == ForwarderLinkState.ConfigurationError, TimeSpan.FromSeconds(20), () => forwarder.Status.State.ToString());
        using (var fresh = Fresh(Now, Now, 0))
        {
            await spool.WriteAsync(fresh);
        }

        await ForwarderTestKit.WaitUntilAsync(() => datacenter.Requests > 8, TimeSpan.FromSeconds(20), () => $"{datacenter.Requests} requests");
        Assert.Equal(0, spool.AcknowledgedBelow);
        Assert.Empty(datacenter.Delivered);

        Volatile.Write(ref unauthorized, false); // the token is fixed; now the datacenter is merely busy at times
        await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(60));
        await forwarder.StopAsync(CancellationToken.None);

        var delivered = datacenter.Delivered;
        AssertEveryRecordOnce(delivered.Select(r => ParseRange(r.Range)), spool.DurableNextSequence);
        AssertEverySampleOnce(delivered, backlog.Count + 4);
        Assert.Equal(ForwarderLinkState.Connected, forwarder.Status.State);
    }

    [Fact]
    public async Task Forward_SecondForwarderOnSameSpool_GoesOnFromTheCursor()
    {
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        var backlog = Plant(machines: 2, minutes: 2, stepMs: 1000, BackDated);
        await AppendAsync(spool, backlog);
        using var datacenter = new ScriptedDatacenter();
        using (var first = new Forwarder(spool, Options(new BacklogOptions()), NullLogger<Forwarder>.Instance, handler: datacenter))
        {
            await first.StartAsync(CancellationToken.None);
            await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
            await first.StopAsync(CancellationToken.None);
        }

        // the datacenter settings were reloaded: a new forwarder on the same open spool
        using var second = new Forwarder(spool, Options(new BacklogOptions()) with { MaxBatchSamples = 500 }, NullLogger<Forwarder>.Instance, handler: datacenter);
        await second.StartAsync(CancellationToken.None);
        var more = Plant(machines: 2, minutes: 2, stepMs: 1000, BackDated + (5L * 60 * 1_000_000_000));
        await AppendAsync(spool, more);
        using (var fresh = Fresh(Now, Now, 0))
        {
            await spool.WriteAsync(fresh);
        }

        await ForwarderTestKit.WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(30));
        await second.StopAsync(CancellationToken.None);
        Assert.True(second.ExecuteTask!.IsCompletedSuccessfully, second.ExecuteTask.Exception?.ToString());
        AssertEveryRecordOnce(datacenter.Delivered.Select(r => ParseRange(r.Range)), spool.DurableNextSequence);
        AssertEverySampleOnce(datacenter.Delivered, backlog.Count + more.Count + 4);
    }

    [Fact]
    public void Pacer_SamplesCap_NextBatchWaitsItsCostAndIdleEarnsNoCredit()
    {
        var clock = new FakeTimeProvider(ClockStart);
        var pacer = new BacklogPacer(new BacklogOptions { MaxSamplesPerSecond = 1000 }, clock);
        Assert.Equal(250, pacer.BatchLimit(5000));
        Assert.Equal(TimeSpan.Zero, pacer.Wait());

        pacer.Charge(samples: 2000, bytes: 1_000_000);
        Assert.Equal(TimeSpan.FromSeconds(2) - BacklogPacer.Slack, pacer.Wait());
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(TimeSpan.FromSeconds(0.5) - BacklogPacer.Slack, pacer.Wait());
        clock.Advance(TimeSpan.FromMinutes(10)); // idle: earns no more than the slack
        Assert.Equal(TimeSpan.Zero, pacer.Wait());
        pacer.Charge(samples: 500, bytes: 0);
        Assert.Equal(TimeSpan.FromSeconds(0.5) - BacklogPacer.Slack, pacer.Wait());
    }

    [Fact]
    public void Pacer_BytesAndSamplesCaps_TheSlowerOneCounts()
    {
        var clock = new FakeTimeProvider(ClockStart);
        var pacer = new BacklogPacer(new BacklogOptions { MaxSamplesPerSecond = 10_000, MaxBytesPerSecond = 100_000 }, clock);
        pacer.Charge(samples: 1000, bytes: 300_000);
        Assert.Equal(TimeSpan.FromSeconds(3) - BacklogPacer.Slack, pacer.Wait());

        var uncapped = new BacklogPacer(new BacklogOptions(), clock);
        uncapped.Charge(samples: 1_000_000, bytes: 1 << 30);
        Assert.Equal(TimeSpan.Zero, uncapped.Wait());
        Assert.Equal(5000, uncapped.BatchLimit(5000));
    }

    [Fact]
    public void Status_BacklogDeliveries_DrainRateOverLastFiveWholeSeconds()
    {
        var clock = new FakeTimeProvider(ClockStart);
        var status = new ForwarderStatus(clock);
        for (var second = 0; second < 5; second++)
        {
            status.OnBacklogDelivered(1000, clock.GetUtcNow());
            status.OnBacklogDelivered(1000, clock.GetUtcNow());
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(2000, status.BacklogDrainRate);
        Assert.Equal(10_000, status.BacklogDeliveredSamples);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, status.BacklogDrainRate);
    }

    [Fact]
    public void Validate_BadBacklogOptions_Refused()
    {
        Assert.Throws<ArgumentException>(() => Options(new BacklogOptions { MaxSamplesPerSecond = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => Options(new BacklogOptions { MaxBytesPerSecond = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => Options(new BacklogOptions { Lag = TimeSpan.Zero }).Validate());
        Options(new BacklogOptions { MaxSamplesPerSecond = 1, MaxBytesPerSecond = 1 }).Validate();
    }

    private static void AssertEverySampleOnce(List<Received> delivered, int expected)
    {
        var lines = delivered.SelectMany(r => r.Lines).ToList();
        Assert.Equal(expected, lines.Count); // one line per sample
        Assert.Equal(lines.Count, lines.Select(SeriesFieldAndTime).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>"measurement,tags field=value time" → "measurement,tags field time".</summary>
    private static string SeriesFieldAndTime(string line)
    {
        var firstSpace = line.IndexOf(' ', StringComparison.Ordinal);
        var equals = line.IndexOf('=', firstSpace);
        var lastSpace = line.LastIndexOf(' ');
        return string.Concat(line.AsSpan(0, equals), line.AsSpan(lastSpace));
    }
}
