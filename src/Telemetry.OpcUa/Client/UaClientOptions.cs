using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.Client;

/// <summary>Who the session logs on as (OPC 10000-4 §7.41).</summary>
public abstract record UserIdentity
{
    public static UserIdentity Anonymous { get; } = new AnonymousIdentity();

    public static UserIdentity FromUserName(string userName, string password) => new UserNameIdentity(userName, password);
}

public sealed record AnonymousIdentity : UserIdentity;

public sealed record UserNameIdentity(string UserName, string Password) : UserIdentity
{
    public override string ToString() => $"UserNameIdentity {{ UserName = {UserName} }}";
}

/// <summary>Options of one <see cref="UaSession"/>; immutable, validated by <see cref="Validate"/> when the session is built.</summary>
public sealed record UaClientOptions
{
    public required string EndpointUrl { get; init; }

    public string ApplicationName { get; init; } = "Telemetry edge";

    public string ApplicationUri { get; init; } = "urn:telemetry:edge";

    public string SessionName { get; init; } = "Telemetry";

    public UserIdentity Identity { get; init; } = UserIdentity.Anonymous;

    /// <summary>Requested session timeout: the server keeps the session (and its subscriptions' queues) this long without a channel.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan ChannelLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>First and largest delay between reconnect attempts (exponential backoff with jitter in between).</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many monitored items per subscription (S7-1500 rejects more than 1,000).</summary>
    public int MaxItemsPerSubscription { get; init; } = 1000;

    /// <summary>Publish requests kept outstanding per session.</summary>
    public int PublishRequestCount { get; init; } = 3;

    public UaLimits Limits { get; init; } = UaLimits.Default;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public void Validate()
    {
        SecureChannel.UaTcpEndpoint.Validate(EndpointUrl);
        if (SessionTimeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SessionTimeout), SessionTimeout, "The session timeout must be at least 1 s.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "The request timeout must be positive.");
        }

        if (MaxItemsPerSubscription < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxItemsPerSubscription), MaxItemsPerSubscription, "At least one item per subscription.");
        }

        if (PublishRequestCount is < 1 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(PublishRequestCount), PublishRequestCount, "Between 1 and 20 outstanding Publish requests.");
        }

        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), ReconnectMaxDelay, "Reconnect delays must be positive and max >= min.");
        }
    }
}
