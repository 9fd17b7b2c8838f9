using Microsoft.Extensions.Logging;

namespace Telemetry.Ingest.Health;

/// <summary>Health and alert log events (ids 7300-7399).</summary>
internal static partial class HealthLog
{
    [LoggerMessage(EventId = 7300, Level = LogLevel.Warning, Message = "Alert {Id} raised for {Machine} by rule {Rule}: {Text}")]
    public static partial void AlertRaised(ILogger logger, long id, string machine, string rule, string text);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Alert {Id} for {Machine} (rule {Rule}) ended")]
    public static partial void AlertEnded(ILogger logger, long id, string machine, string rule);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "Alert {Id} for {Machine} (rule {Rule}) acknowledged by {By}")]
    public static partial void AlertAcknowledged(ILogger logger, long id, string machine, string rule, string by);

    [LoggerMessage(EventId = 7310, Level = LogLevel.Error, Message = "The no-data rule check failed; it runs again at the next tick")]
    public static partial void NoDataCheckFailed(ILogger logger, Exception exception);
}
