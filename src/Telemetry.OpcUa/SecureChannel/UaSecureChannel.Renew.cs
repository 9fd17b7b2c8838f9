using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Transport;

namespace Telemetry.OpcUa.SecureChannel;

public sealed partial class UaSecureChannel
{
    private ITimer? _renewTimer;

    /// <summary>Number of successful renewals (for tests and diagnostics).</summary>
    public int RenewCount { get; private set; }

    private async Task<OpenSecureChannelResponse> OpenOrRenewAsync(SecurityTokenRequestType type, CancellationToken cancellationToken)
    {
        var clientNonce = _security.CreateNonce();
        var request = new OpenSecureChannelRequest
        {
            RequestType = type,
            SecurityMode = _security.Mode,
            ClientNonce = clientNonce,
            RequestedLifetime = (uint)_options.RequestedLifetime.TotalMilliseconds,
        };
        request.RequestHeader.Timestamp = _options.TimeProvider.GetUtcNow().UtcDateTime;
        var message = await SendAsync(UaTcpMessageType.OpenSecureChannel, request, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        OpenSecureChannelResponse response;
        try
        {
            response = DecodeResponse<OpenSecureChannelResponse>(message.Span, _options.Limits, request);
        }
        finally
        {
            message.Dispose();
        }

        if (response.SecurityToken.RevisedLifetime == 0)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadSecureChannelClosed), $"{EndpointUrl} issued a token with lifetime 0.");
        }

        // Keys first: the send loop uses the token id as soon as it is written (OPC 10000-6 §6.7.5).
        _security.ActivateToken(response.SecurityToken.TokenId, clientNonce, response.ServerNonce ?? []);
        _previousTokenId = _tokenId;
        Volatile.Write(ref _tokenId, response.SecurityToken.TokenId);
        CurrentToken = response.SecurityToken;
        return response;
    }

    /// <summary>Renews at 75% of the revised lifetime (OPC 10000-4 §5.5.2.1), on the injected TimeProvider.</summary>
    private void ScheduleRenewal(ChannelSecurityToken token)
    {
        _renewTimer?.Dispose();
        if (_connection.IsBroken)
        {
            return;
        }

        var due = TimeSpan.FromMilliseconds(token.RevisedLifetime * 0.75);
        _renewTimer = _options.TimeProvider.CreateTimer(static state => _ = ((UaSecureChannel)state!).RenewAsync(), this, due, Timeout.InfiniteTimeSpan);
    }

    private async Task RenewAsync()
    {
        try
        {
            var response = await OpenOrRenewAsync(SecurityTokenRequestType.Renew, CancellationToken.None).ConfigureAwait(false);
            RenewCount++;
            Log.ChannelRenewed(_options.Logger, _channelId, response.SecurityToken.TokenId, response.SecurityToken.RevisedLifetime);
            ScheduleRenewal(response.SecurityToken);
        }
        catch (Exception ex) when (ex is OpcUaException or TimeoutException)
        {
            Log.ChannelRenewFailed(_options.Logger, _channelId, ex.Message);
            _connection.Break(ex as OpcUaException ?? new OpcUaException(new StatusCode(StatusCodes.BadTimeout), ex.Message, ex));
        }
    }
}
