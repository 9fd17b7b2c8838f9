using Microsoft.Extensions.Logging;

namespace Telemetry.Ingest.Diagnostics;

/// <summary>The ingest's service-level log messages (event ids 3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "telemetry-ingest {Version} listening on {Addresses}, storing into {Store}, {Sites} site(s)")]
    public static partial void Started(ILogger logger, string version, string addresses, string store, int sites);
}
