using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Telemetry.NodeRedAnchor;

/// <summary>
/// The Node-RED anchor of the load harness: the usual small-plant setup (Node-RED 5 with node-red-contrib-opcua
/// subscribing and node-red-contrib-influxdb writing one point per change) on the same OPC UA server and the same
/// InfluxDB 1.x as our pipeline, measured the same way: samples stored per second, CPU seconds and peak RSS of its
/// process.
/// </summary>
public static class NodeRedAnchor
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Installs Node-RED if needed (bench/anchors/node-red/install.sh), renders the flow for the run's items,
    /// starts Node-RED, waits until every item has been stored once, waits <see cref="NodeRedRunOptions.Warmup"/>,
    /// measures for <see cref="NodeRedRunOptions.Duration"/>, waits <see cref="NodeRedRunOptions.Drain"/>, counts
    /// the stored points of the window and stops Node-RED.
    /// </summary>
    public static async Task<NodeRedResult> RunAsync(NodeRedRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var logger = options.Logger ?? NullLogger.Instance;
        var install = AnchorInstall.Locate(options.AnchorDirectory);
        var installTime = await install.EnsureInstalledAsync(options.InstallTimeout, cancellationToken).ConfigureAwait(false);
        Log.Installed(logger, installTime, install.Directory);

        var nodeIds = await NodeIdResolver.ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        var items = nodeIds.Distinct(StringComparer.Ordinal).Count();
        using var influx = new InfluxQueries(options.InfluxUrl, options.Database, options.Measurement);
        await influx.CreateDatabaseAsync(cancellationToken).ConfigureAwait(false);

        var userDirectory = Directory.CreateTempSubdirectory("nodered-anchor-").FullName;
        try
        {
            var flowFile = Path.Combine(userDirectory, "flows.json");
            await File.WriteAllTextAsync(
                flowFile,
                FlowRenderer.Render(install.FlowTemplate, options.OpcUaEndpoint, nodeIds, options.SubscribeMode, options.SamplingInterval, options.InfluxUrl, options.Database, options.Measurement),
                cancellationToken).ConfigureAwait(false);
            Log.Starting(logger, items, options.SubscribeMode, options.OpcUaEndpoint, options.SamplingInterval.TotalMilliseconds, options.InfluxUrl, options.Database, options.Measurement);

            var runStart = DateTimeOffset.UtcNow;
            var started = Stopwatch.GetTimestamp();
            var node = NodeRedProcess.Start(install, userDirectory, flowFile, options.OutputFile);
            await using var disposeNode = node.ConfigureAwait(false);
            await WaitReadyAsync(node, influx, runStart, items, options.ReadyTimeout, cancellationToken).ConfigureAwait(false);
            var startup = Stopwatch.GetElapsedTime(started);
            var subscribeSent = node.SubscribeSentAfter(started);
            Log.Ready(logger, node.ProcessId, startup, subscribeSent, options.Duration);
            await WatchAsync(node, influx, "warm-up", options.Warmup, logger, cancellationToken).ConfigureAwait(false);

            var pointsAtStart = await influx.CountAllPointsAsync(cancellationToken).ConfigureAwait(false);
            var windowStart = DateTimeOffset.UtcNow;
            var cpuStart = ProcStat.CpuSeconds(node.ProcessId);
            var receivedStart = node.Received;
            var overflowsStart = node.Overflows;
            await WatchAsync(node, influx, "window", options.Duration, logger, cancellationToken).ConfigureAwait(false);
            ThrowIfExited(node, "during the measured window");
            var windowEnd = DateTimeOffset.UtcNow;
            var cpu = ProcStat.CpuSeconds(node.ProcessId) - cpuStart;
            var peakRss = ProcStat.PeakRssBytes(node.ProcessId);
            var received = node.Received - receivedStart;
            var overflows = node.Overflows - overflowsStart;
            var arrived = await influx.CountAllPointsAsync(cancellationToken).ConfigureAwait(false) - pointsAtStart;
            var newest = await influx.NewestTimestampAsync(cancellationToken).ConfigureAwait(false);
            var lag = newest is { } last ? windowEnd - last : windowEnd - runStart;

            await Task.Delay(options.Drain, cancellationToken).ConfigureAwait(false);
            var stored = await influx.CountPointsAsync(windowStart, windowEnd, cancellationToken).ConfigureAwait(false);
            var errors = node.Errors;
            await node.StopAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);

            var result = new NodeRedResult
            {
                Items = items,
                NodeIds = nodeIds,
                WindowStart = windowStart,
                WindowEnd = windowEnd,
                SamplesStored = stored,
                PointsArrived = arrived,
                LagAtWindowEnd = lag,
                NotificationsReceived = received,
                OverflowsReceived = overflows,
                Errors = errors,
                CpuSeconds = cpu,
                PeakRssBytes = peakRss,
                StartupTime = startup,
                SubscribeSentTime = subscribeSent,
                InstallTime = installTime,
            };
            Log.Measured(logger, stored, result.Window, result.SamplesPerSecond, arrived, result.PointsArrivedPerSecond, lag, received, overflows, errors, cpu, peakRss / 1048576.0);
            return result;
        }
        finally
        {
            try
            {
                Directory.Delete(userDirectory, recursive: true);
            }
            catch (IOException ex)
            {
                Log.CleanupFailed(logger, userDirectory, ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                Log.CleanupFailed(logger, userDirectory, ex);
            }
        }
    }

    /// <summary>
    /// Waits <paramref name="duration"/>, logging every <see cref="ProgressInterval"/> what Node-RED had received and
    /// stored and how far its newest stored source timestamp was behind: the evidence when a window stores nothing.
    /// </summary>
    private static async Task WatchAsync(NodeRedProcess node, InfluxQueries influx, string phase, TimeSpan duration, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var left = duration - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(left < ProgressInterval ? left : ProgressInterval, cancellationToken).ConfigureAwait(false);
            if (logger.IsEnabled(LogLevel.Information))
            {
                var now = DateTimeOffset.UtcNow;
                var total = await influx.CountAllPointsAsync(cancellationToken).ConfigureAwait(false);
                var newest = await influx.NewestTimestampAsync(cancellationToken).ConfigureAwait(false);
                Log.Progress(logger, phase, Stopwatch.GetElapsedTime(started), node.Received, node.Overflows, total, newest is { } last ? now - last : null, node.Errors);
            }
        }
    }

    /// <summary>Until InfluxDB holds a point of every item written since <paramref name="since"/>.</summary>
    private static async Task WaitReadyAsync(NodeRedProcess node, InfluxQueries influx, DateTimeOffset since, int items, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var seen = 0;
        try
        {
            while (true)
            {
                ThrowIfExited(node, "at start-up");
                seen = await influx.CountItemsSinceAsync(since, cts.Token).ConfigureAwait(false);
                if (seen >= items)
                {
                    return;
                }

                await Task.Delay(PollInterval, cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Node-RED stored {seen} of {items} items within {timeout} (changes received: {node.Received}, errors: {node.Errors}). Its output: {node.OutputTail}");
        }
    }

    private static void ThrowIfExited(NodeRedProcess node, string when)
    {
        if (node.HasExited)
        {
            throw new InvalidOperationException($"Node-RED exited {when}. Its output: {node.OutputTail}");
        }
    }
}
