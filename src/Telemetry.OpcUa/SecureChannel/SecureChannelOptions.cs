using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa.SecureChannel;

/// <summary>Options of one secure channel; validated when the channel is built.</summary>
public sealed record SecureChannelOptions
{
    public required string EndpointUrl { get; init; }

    public UaLimits Limits { get; init; } = UaLimits.Default;

    public IChannelSecurity Security { get; init; } = NoneChannelSecurity.Instance;

    /// <summary>Requested token lifetime; the channel renews at 75% of what the server revises it to.</summary>
    public TimeSpan RequestedLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Time to wait for a response when the call gives none (TimeoutException after it).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILogger Logger { get; init; } = NullLogger.Instance;

    internal void Validate()
    {
        UaTcpEndpoint.Validate(EndpointUrl);
        if (RequestedLifetime < TimeSpan.FromSeconds(1) || RequestedLifetime > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RequestedLifetime), RequestedLifetime, "Token lifetime must be between 1 s and 1 day.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "Request timeout must be positive.");
        }
    }
}

internal static class UaTcpEndpoint
{
    public static void Validate(string endpointUrl) => Transport.UaTcpConnection.ParseEndpoint(endpointUrl);
}
