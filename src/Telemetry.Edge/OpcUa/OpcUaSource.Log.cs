using Microsoft.Extensions.Logging;

namespace Telemetry.Edge.OpcUa;

public sealed partial class OpcUaSource
{
    /// <summary>Log messages of the OPC UA source; event ids 3001-3099.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "OPC UA source {Name} is {State} ({EndpointUrl})")]
        public static partial void StateChanged(ILogger logger, string name, Telemetry.Core.SourceLinkState state, string endpointUrl);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "OPC UA source {Name}: cannot connect to {EndpointUrl}: {Reason}; next try in {DelayMs} ms (attempt {Attempt})")]
        public static partial void ConnectFailed(ILogger logger, string name, string endpointUrl, string reason, long delayMs, int attempt);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "OPC UA source {Name}: {Count} tags subscribed on {EndpointUrl} ({Security}; {Problems} configured entries with problems)")]
        public static partial void Subscribed(ILogger logger, string name, string endpointUrl, string security, int count, int problems);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "OPC UA source {Name}: {Problem}")]
        public static partial void NodeProblem(ILogger logger, string name, string problem);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "OPC UA source {Name}: reconnected to {EndpointUrl} (sessions so far: {Sessions})")]
        public static partial void Reconnected(ILogger logger, string name, string endpointUrl, int sessions);

        [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "OPC UA source {Name}: closing the session failed: {Reason}")]
        public static partial void CloseFailed(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "OPC UA source {Name}: the certificate of {EndpointUrl} (thumbprint {Thumbprint}) is not trusted and was saved to rejected/; if this is the right PLC, run: {TrustCommand}")]
        public static partial void ServerCertificateUntrusted(ILogger logger, string name, string endpointUrl, string thumbprint, string trustCommand);

        [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "OPC UA source {Name}: the agent's certificate {Thumbprint} ({ApplicationUri}) is in {PkiPath}; `telemetry-edge certs show-own` prints it for the PLC")]
        public static partial void OwnCertificate(ILogger logger, string name, string thumbprint, string applicationUri, string pkiPath);

        [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "OPC UA source {Name}: cannot create or read the agent's certificate in {PkiPath}: {Reason}")]
        public static partial void OwnCertificateFailed(ILogger logger, string name, string pkiPath, string reason);

        [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "OPC UA source {Name}: {Count} structured type(s) from the PLC's type definitions, written as one tag per field: {Types}")]
        public static partial void StructureTypes(ILogger logger, string name, int count, string types);

        [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "OPC UA source {Name}: the PLC's structured types could not be read ({Reason}); structured values are written as text")]
        public static partial void StructureTypesFailed(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "OPC UA source {Name}: the PLC {EndpointUrl} discarded values before the agent got them: {New} more value(s) came with the Overflow bit ({Total} in all). The item's queue on the PLC was full: the agent read slower than the PLC sampled, or queue_size is too small for the publishing interval")]
        public static partial void SourceOverflow(ILogger logger, string name, string endpointUrl, long @new, long total);

        [LoggerMessage(EventId = 3014, Level = LogLevel.Warning, Message = "OPC UA source {Name}: the saved session state is ignored: {Problem}; subscribing anew")]
        public static partial void ResumeStateUnreadable(ILogger logger, string name, string problem);

        [LoggerMessage(EventId = 3015, Level = LogLevel.Information, Message = "OPC UA source {Name}: took over {Resumed} of {Saved} subscription(s) of the previous session {SessionId} on {EndpointUrl}: {Republished} message(s) the PLC still held republished, {Lost} no longer available; {Remaining} configured item(s) subscribed anew")]
        public static partial void Resumed(ILogger logger, string name, string endpointUrl, int resumed, int saved, string sessionId, int republished, int lost, int remaining);

        [LoggerMessage(EventId = 3016, Level = LogLevel.Warning, Message = "OPC UA source {Name}: the previous session {SessionId} on {EndpointUrl} is gone ({Status}: it timed out or the PLC restarted); subscribing anew, values the PLC held for it are lost")]
        public static partial void ResumeNotPossible(ILogger logger, string name, string endpointUrl, string sessionId, string status);

        [LoggerMessage(EventId = 3017, Level = LogLevel.Warning, Message = "OPC UA source {Name}: cannot save the session state {Path} ({Reason}); after a crash the PLC's held values would be lost")]
        public static partial void ResumeStateSaveFailed(ILogger logger, string name, string path, string reason);

        [LoggerMessage(EventId = 3018, Level = LogLevel.Information, Message = "OPC UA source {Name}: the nodes resolved on the new session differ: {Removed} item(s) removed, {Added} added ({Tags} tags now)")]
        public static partial void NodesChanged(ILogger logger, string name, int removed, int added, int tags);

        [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "OPC UA source {Name}: {Queued} samples wait for the spool (writer queue capacity {Capacity}); Publish requests to {EndpointUrl} are held back until the spool catches up, the PLC keeps the values meanwhile ({Total} time(s) full so far). The spool is slower than the PLC: check the disk")]
        public static partial void WriterQueueFull(ILogger logger, string name, long queued, int capacity, string endpointUrl, long total);
    }
}
