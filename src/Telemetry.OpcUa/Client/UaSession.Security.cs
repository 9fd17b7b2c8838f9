using System.Security.Cryptography.X509Certificates;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

public sealed partial class UaSession
{
    private PkiStore? _pki;
    private X509Certificate2? _ownCertificate;
    private SecurityPolicy? _policy;
    private byte[]? _serverNonce;
    private byte[]? _serverCertificate;

    /// <summary>The PKI folder of this session (null without <see cref="UaClientOptions.PkiPath"/>).</summary>
    public PkiStore? Pki => _pki ??= _options.PkiPath is { Length: > 0 } path ? new PkiStore(path) : null;

    /// <summary>The security policy of the current channel (null for None).</summary>
    public SecurityPolicy? SecurityPolicy => _policy;

    /// <summary>
    /// Opens the channel for the configured security: for None one channel that also serves GetEndpoints; for Sign /
    /// SignAndEncrypt a None discovery channel for GetEndpoints, the endpoint choice, the server certificate check
    /// against the PKI folder (again at every reconnect, so a newly trusted certificate counts), then the secured channel.
    /// </summary>
    private async Task<(UaSecureChannel Channel, EndpointDescription Endpoint)> OpenChannelAsync(CancellationToken cancellationToken)
    {
        if (_options.SecurityMode == MessageSecurityMode.None)
        {
            var plain = NewChannel(NoneChannelSecurity.Instance);
            try
            {
                await plain.OpenAsync(cancellationToken).ConfigureAwait(false);
                var endpoints = await GetEndpointsAsync(plain, cancellationToken).ConfigureAwait(false);
                return (plain, SelectEndpoint(endpoints));
            }
            catch
            {
                await plain.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        EndpointDescription endpoint;
        var discovery = NewChannel(NoneChannelSecurity.Instance);
        try
        {
            await discovery.OpenAsync(cancellationToken).ConfigureAwait(false);
            endpoint = SelectEndpoint(await GetEndpointsAsync(discovery, cancellationToken).ConfigureAwait(false));
            await discovery.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await discovery.DisposeAsync().ConfigureAwait(false);
        }

        var policy = Security.SecurityPolicy.Get(endpoint.SecurityPolicyUri, _options.AllowDeprecatedPolicies);
        var pki = Pki!;
        // Our certificate first: an operator who must trust it on the server finds it in own/ even when this connect fails.
        if (_ownCertificate is null)
        {
            _ownCertificate = pki.GetOrCreateOwnCertificate(_options.ApplicationUri, _options.ApplicationName, _options.CertificateHostNames, _options.TimeProvider);
            Log.OwnCertificate(_logger, CertificateThumbprint.ToHex(_ownCertificate.RawData), _options.ApplicationUri, pki.OwnCertificates);
        }

        using var serverCertificate = new ServerCertificateValidator(pki, _options.TimeProvider, _logger)
            .Validate(endpoint.ServerCertificate, endpoint.Server.ApplicationUri, EndpointUrl, policy);
        var channel = NewChannel(new UaChannelSecurity(policy, _options.SecurityMode, _ownCertificate, serverCertificate));
        try
        {
            await channel.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _policy = policy;
        return (channel, endpoint);
    }

    private UaSecureChannel NewChannel(IChannelSecurity security) => new(new SecureChannelOptions
    {
        EndpointUrl = _options.EndpointUrl,
        Limits = _options.Limits,
        Security = security,
        RequestedLifetime = _options.ChannelLifetime,
        RequestTimeout = _options.RequestTimeout,
        TimeProvider = _options.TimeProvider,
        Logger = _logger,
    });

    private async Task<EndpointDescription[]> GetEndpointsAsync(UaSecureChannel channel, CancellationToken cancellationToken)
    {
        var request = new GetEndpointsRequest { EndpointUrl = _options.EndpointUrl };
        PrepareHeader(request, _options.RequestTimeout);
        request.RequestHeader.AuthenticationToken = NodeId.Null;
        var response = await channel.SendRequestAsync<GetEndpointsResponse>(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Endpoints;
    }

    /// <summary>
    /// The endpoint for the configured mode and policy (the most secure policy when none is configured); UA-TCP binary
    /// only. Never another mode than configured: an error lists what the server offers.
    /// </summary>
    private EndpointDescription SelectEndpoint(EndpointDescription[] endpoints)
    {
        var mode = _options.SecurityMode;
        EndpointDescription? best = null;
        var bestRank = int.MinValue;
        foreach (var endpoint in endpoints)
        {
            if (endpoint.SecurityMode != mode
                || !(endpoint.TransportProfileUri is null || endpoint.TransportProfileUri.EndsWith("uatcp-uasc-uabinary", StringComparison.Ordinal)))
            {
                continue;
            }

            int rank;
            if (mode == MessageSecurityMode.None)
            {
                if (endpoint.SecurityPolicyUri != SecurityPolicies.None)
                {
                    continue;
                }

                rank = 0;
            }
            else
            {
                var policy = Security.SecurityPolicy.Find(endpoint.SecurityPolicyUri);
                if (policy is null || (policy.IsDeprecated && !_options.AllowDeprecatedPolicies)
                    || (_options.SecurityPolicyUri is not null && policy.Uri != _options.SecurityPolicyUri))
                {
                    continue;
                }

                rank = (policy.Rank * 256) + endpoint.SecurityLevel;
            }

            if (rank > bestRank)
            {
                best = endpoint;
                bestRank = rank;
            }
        }

        if (best is not null)
        {
            return best;
        }

        var offered = endpoints.Length == 0 ? "no endpoints" : string.Join(", ", endpoints.Select(e => e.SecurityName).Distinct());
        var wanted = mode == MessageSecurityMode.None
            ? "None"
            : $"{(_options.SecurityPolicyUri is null ? "any supported policy" : SecurityPolicies.ShortName(_options.SecurityPolicyUri))} with {mode}";
        var hint = mode == MessageSecurityMode.None
            ? "It requires security: set the security mode (Sign or SignAndEncrypt) and a PKI folder."
            : endpoints.Any(e => Security.SecurityPolicy.Find(e.SecurityPolicyUri) is { IsDeprecated: true }) && !_options.AllowDeprecatedPolicies
                ? "It offers only deprecated policies for this mode: enable AllowDeprecatedPolicies if you must."
                : "Configure one of the offered endpoints.";
        throw new OpcUaException(
            new StatusCode(mode == MessageSecurityMode.None ? StatusCodes.BadSecurityPolicyRejected : StatusCodes.BadSecurityModeRejected),
            $"{EndpointUrl} has no endpoint for {wanted}: it offers {offered}. {hint}");
    }

    /// <summary>CreateSession's ServerSignature: the client certificate + client nonce signed by the server (OPC 10000-4 §5.6.2).</summary>
    private void VerifyServerSignature(CreateSessionResponse created, EndpointDescription endpoint, byte[] clientNonce)
    {
        var policy = _policy!;
        var certificate = created.ServerCertificate is { Length: > 0 } sent ? sent : endpoint.ServerCertificate ?? [];
        if (endpoint.ServerCertificate is { Length: > 0 } expected && !certificate.AsSpan().StartsWith(CertificateThumbprint.Leaf(expected)))
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadCertificateInvalid), $"{EndpointUrl} answered CreateSession with another certificate than its endpoint describes.");
        }

        using var leaf = X509CertificateLoader.LoadCertificate(CertificateThumbprint.Leaf(certificate));
        using var key = leaf.GetRSAPublicKey()!;
        var data = UserTokens.Concat(_ownCertificate!.RawData, clientNonce);
        var signature = created.ServerSignature;
        if (signature.Algorithm != policy.SignatureAlgorithmUri || signature.Signature is null
            || !AsymmetricCrypto.Verify(policy, key, data, signature.Signature))
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadApplicationSignatureInvalid),
                $"{EndpointUrl} did not prove it holds its certificate's key: the CreateSession server signature ({signature.Algorithm ?? "none"}) does not verify with {policy.Name}.");
        }

        _serverCertificate = certificate;
    }

    /// <summary>ActivateSession's ClientSignature: the server certificate + the last server nonce signed with our key (OPC 10000-4 §5.6.3).</summary>
    private SignatureData ClientSignature()
    {
        if (_policy is null || _ownCertificate is null || _serverCertificate is null)
        {
            return SignatureData.Empty;
        }

        using var key = _ownCertificate.GetRSAPrivateKey()!;
        return new SignatureData(_policy.SignatureAlgorithmUri, AsymmetricCrypto.Sign(_policy, key, UserTokens.Concat(_serverCertificate, _serverNonce ?? [])));
    }
}
