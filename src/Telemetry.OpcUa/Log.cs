using Microsoft.Extensions.Logging;

namespace Telemetry.OpcUa;

/// <summary>All log messages of the OPC UA client. Event ids: 1000 transport, 1100 secure channel, 1200 session, 1300 subscriptions, 1400 security.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Debug, "Connected to {EndpointUrl}: send chunks {SendChunkSize} B, receive chunks {ReceiveChunkSize} B")]
    public static partial void TransportConnected(ILogger logger, string endpointUrl, int sendChunkSize, int receiveChunkSize);

    [LoggerMessage(1001, LogLevel.Warning, "Connection to {EndpointUrl} broken: {Reason}")]
    public static partial void TransportBroken(ILogger logger, string endpointUrl, string reason);

    [LoggerMessage(1100, LogLevel.Debug, "Secure channel {ChannelId} open to {EndpointUrl} (token {TokenId}, lifetime {LifetimeMs} ms)")]
    public static partial void ChannelOpened(ILogger logger, uint channelId, string endpointUrl, uint tokenId, uint lifetimeMs);

    [LoggerMessage(1101, LogLevel.Debug, "Secure channel {ChannelId} renewed: token {TokenId}, lifetime {LifetimeMs} ms")]
    public static partial void ChannelRenewed(ILogger logger, uint channelId, uint tokenId, uint lifetimeMs);

    [LoggerMessage(1102, LogLevel.Warning, "Secure channel {ChannelId} token renewal failed: {Reason}")]
    public static partial void ChannelRenewFailed(ILogger logger, uint channelId, string reason);

    [LoggerMessage(1200, LogLevel.Information, "Session {SessionId} active on {EndpointUrl}")]
    public static partial void SessionActivated(ILogger logger, string sessionId, string endpointUrl);

    [LoggerMessage(1201, LogLevel.Warning, "Session to {EndpointUrl} lost ({Reason}); reconnecting")]
    public static partial void SessionLost(ILogger logger, string endpointUrl, string reason);

    [LoggerMessage(1202, LogLevel.Warning, "Reconnect to {EndpointUrl} failed (attempt {Attempt}): {Reason}")]
    public static partial void ReconnectFailed(ILogger logger, string endpointUrl, int attempt, string reason);

    [LoggerMessage(1203, LogLevel.Information, "Reconnected to {EndpointUrl}: {Transferred} subscriptions transferred, {Recreated} recreated")]
    public static partial void Reconnected(ILogger logger, string endpointUrl, int transferred, int recreated);

    [LoggerMessage(1204, LogLevel.Information, "Resumed on {EndpointUrl}: {Resumed} of {Saved} subscriptions of the previous session taken over, {Republished} held messages republished, {Lost} no longer available")]
    public static partial void SubscriptionsResumed(ILogger logger, string endpointUrl, int resumed, int saved, int republished, int lost);

    [LoggerMessage(1300, LogLevel.Warning, "Subscription {SubscriptionId}: sequence gap {Expected}..{Received}, republishing")]
    public static partial void SequenceGap(ILogger logger, uint subscriptionId, uint expected, uint received);

    [LoggerMessage(1301, LogLevel.Warning, "Subscription {SubscriptionId}: could not republish {SequenceNumber}: {Reason}")]
    public static partial void RepublishFailed(ILogger logger, uint subscriptionId, uint sequenceNumber, string reason);

    [LoggerMessage(1302, LogLevel.Warning, "Publish failed on {EndpointUrl}: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string endpointUrl, string reason);

    [LoggerMessage(1303, LogLevel.Warning, "No publish response or keep-alive from {EndpointUrl} for {Elapsed}; reconnecting")]
    public static partial void WatchdogExpired(ILogger logger, string endpointUrl, TimeSpan elapsed);

    [LoggerMessage(1400, LogLevel.Information, "Application certificate {Thumbprint} for {ApplicationUri} in {Folder}: servers must trust it for secured endpoints")]
    public static partial void OwnCertificate(ILogger logger, string thumbprint, string applicationUri, string folder);

    [LoggerMessage(1401, LogLevel.Warning, "Refused the untrusted certificate {Thumbprint} of {Server}; saved to {Path}")]
    public static partial void ServerCertificateRejected(ILogger logger, string server, string thumbprint, string path);
}
