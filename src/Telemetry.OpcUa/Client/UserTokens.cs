using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>Builds the identity token for ActivateSession from the endpoint's user token policies.</summary>
internal static class UserTokens
{
    public static IUaEncodable Create(UserIdentity identity, EndpointDescription endpoint, string endpointUrl)
    {
        var policies = endpoint.UserIdentityTokens ?? [];
        switch (identity)
        {
            case UserNameIdentity user:
            {
                var policy = Array.Find(policies, p => p.TokenType == UserTokenType.UserName)
                    ?? throw new OpcUaException(new StatusCode(StatusCodes.BadIdentityTokenInvalid), $"{endpointUrl} does not accept user names on its {endpoint.SecurityName} endpoint.");
                var tokenPolicy = string.IsNullOrEmpty(policy.SecurityPolicyUri) ? endpoint.SecurityPolicyUri : policy.SecurityPolicyUri;
                if (tokenPolicy != SecurityPolicies.None)
                {
                    throw new OpcUaException(
                        new StatusCode(StatusCodes.BadSecurityPolicyRejected),
                        $"{endpointUrl} wants user passwords encrypted with {SecurityPolicies.ShortName(tokenPolicy)}; this client sends passwords only where the policy is None.");
                }

                return new UserNameIdentityToken(policy.PolicyId, user.UserName, System.Text.Encoding.UTF8.GetBytes(user.Password), null);
            }

            default:
            {
                var policy = Array.Find(policies, p => p.TokenType == UserTokenType.Anonymous)
                    ?? throw new OpcUaException(new StatusCode(StatusCodes.BadIdentityTokenInvalid), $"{endpointUrl} does not allow anonymous sessions: configure a user name.");
                return new AnonymousIdentityToken(policy.PolicyId);
            }
        }
    }
}
