using Microsoft.Extensions.Logging;

namespace Telemetry.NodeRedAnchor;

/// <summary>Log messages of the Node-RED anchor (event ids 9100-9199).</summary>
internal static partial class Log
{
    [LoggerMessage(9100, LogLevel.Information, "Node-RED anchor: install.sh done in {Elapsed} ({Directory})")]
    public static partial void Installed(ILogger logger, TimeSpan elapsed, string directory);

    [LoggerMessage(9101, LogLevel.Information, "Node-RED anchor: {Items} items ({Mode}) on {Endpoint} at {SamplingMs} ms -> {Influx} db {Database} measurement {Measurement}")]
    public static partial void Starting(ILogger logger, int items, NodeRedSubscribeMode mode, string endpoint, double samplingMs, Uri influx, string database, string measurement);

    [LoggerMessage(9102, LogLevel.Information, "Node-RED anchor: pid {Pid} stored every item once after {Elapsed} (its flow had sent the last subscribe message after {SubscribeSent}); measuring for {Duration}")]
    public static partial void Ready(ILogger logger, int pid, TimeSpan elapsed, TimeSpan? subscribeSent, TimeSpan duration);

    [LoggerMessage(9105, LogLevel.Information, "Node-RED anchor: {Phase} +{Elapsed}: {Received} changes received ({Overflows} with the Overflow bit), {Stored} points stored in all, newest stored source time {Lag} behind, {Errors} errors")]
    public static partial void Progress(ILogger logger, string phase, TimeSpan elapsed, long received, long overflows, long stored, TimeSpan? lag, long errors);

    [LoggerMessage(9103, LogLevel.Information, "Node-RED anchor: stored {Stored} samples of the {Window} window ({Rate:F0}/s), {Arrived} points arrived during it ({ArrivedRate:F0}/s), {Lag} behind at its end, {Received} changes received ({Overflows} with the Overflow bit), {Errors} errors, {Cpu:F2} CPU s, peak RSS {RssMiB:F0} MiB")]
    public static partial void Measured(ILogger logger, long stored, TimeSpan window, double rate, long arrived, double arrivedRate, TimeSpan lag, long received, long overflows, long errors, double cpu, double rssMiB);

    [LoggerMessage(9104, LogLevel.Warning, "Node-RED anchor: could not delete {Directory}")]
    public static partial void CleanupFailed(ILogger logger, string directory, Exception exception);
}
