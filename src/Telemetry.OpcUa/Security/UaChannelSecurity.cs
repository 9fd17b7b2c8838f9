using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;

namespace Telemetry.OpcUa.Security;

/// <summary>
/// Sign / SignAndEncrypt for one secure channel with an RSA policy (OPC 10000-6 §6.7): OPN chunks signed with the
/// local private key and encrypted with the peer's public key (even in Sign mode), MSG/CLO chunks signed with
/// HMAC and (SignAndEncrypt) AES-CBC encrypted with keys derived per token. The previous token's keys stay until
/// the peer uses the new token. Protect runs on the send loop, Unprotect on the receive loop; the token keys are
/// swapped atomically between them. Both roles exist so that two instances can talk to each other in tests.
/// </summary>
public sealed partial class UaChannelSecurity : IChannelSecurity, IDisposable
{
    private readonly SecurityPolicy _policy;
    private readonly RSA _localKey;
    private readonly RSA _remoteKey;
    private readonly byte[] _localCertificate;
    private readonly byte[] _remoteCertificate;
    private readonly byte[] _remoteThumbprint;
    private readonly byte[] _localThumbprint;
    private readonly int _localKeyBytes;
    private readonly int _remoteKeyBytes;
    private readonly bool _isClient;
    private TokenKeys? _current;
    private TokenKeys? _previous;

    /// <param name="policy">The channel's policy (a deprecated one only if the caller allowed it).</param>
    /// <param name="mode">Sign or SignAndEncrypt.</param>
    /// <param name="localCertificate">Our application instance certificate with its private key.</param>
    /// <param name="remoteCertificate">The peer's certificate (already validated by the caller).</param>
    /// <param name="isClient">True for the client side (it sends with the client keys).</param>
    public UaChannelSecurity(SecurityPolicy policy, MessageSecurityMode mode, X509Certificate2 localCertificate, X509Certificate2 remoteCertificate, bool isClient = true)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(localCertificate);
        ArgumentNullException.ThrowIfNull(remoteCertificate);
        if (mode is not (MessageSecurityMode.Sign or MessageSecurityMode.SignAndEncrypt))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Channel security is Sign or SignAndEncrypt; None uses NoneChannelSecurity.");
        }

        _policy = policy;
        Mode = mode;
        _isClient = isClient;
        _localKey = localCertificate.GetRSAPrivateKey()
            ?? throw new OpcUaException(new StatusCode(StatusCodes.BadCertificateInvalid), $"Certificate {localCertificate.Subject} has no RSA private key.");
        _remoteKey = remoteCertificate.GetRSAPublicKey()
            ?? throw new OpcUaException(new StatusCode(StatusCodes.BadCertificateInvalid), $"Certificate {remoteCertificate.Subject} has no RSA public key.");
        _localKeyBytes = AsymmetricCrypto.KeyBytes(_localKey);
        _remoteKeyBytes = AsymmetricCrypto.KeyBytes(_remoteKey);
        policy.CheckKeySize(_localKey.KeySize, $"Our certificate {localCertificate.Subject}");
        policy.CheckKeySize(_remoteKey.KeySize, $"Certificate {remoteCertificate.Subject}");
        _localCertificate = localCertificate.RawData;
        _remoteCertificate = remoteCertificate.RawData;
        _localThumbprint = CertificateThumbprint.Compute(_localCertificate);
        _remoteThumbprint = CertificateThumbprint.Compute(_remoteCertificate);
    }

    public string PolicyUri => _policy.Uri;

    public SecurityPolicy Policy => _policy;

    public MessageSecurityMode Mode { get; }

    public byte[]? SenderCertificate => _localCertificate;

    public byte[]? ReceiverCertificateThumbprint => _remoteThumbprint;

    /// <summary>The token whose keys we send with (0 before the first OPN completed).</summary>
    public uint CurrentTokenId => Volatile.Read(ref _current)?.TokenId ?? 0;

    public byte[] CreateNonce() => RandomNumberGenerator.GetBytes(_policy.NonceLength);

    public void ActivateToken(uint tokenId, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
        if (clientNonce.Length != _policy.NonceLength || serverNonce.Length != _policy.NonceLength)
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadNonceInvalid),
                $"{_policy.Name} needs {_policy.NonceLength}-byte nonces; got client {clientNonce.Length} B, server {serverNonce.Length} B.");
        }

        var (client, server) = SymmetricKeys.Derive(_policy, clientNonce, serverNonce);
        var keys = _isClient ? new TokenKeys(tokenId, client, server) : new TokenKeys(tokenId, server, client);
        var current = Volatile.Read(ref _current);
        Volatile.Write(ref _previous, current);
        Volatile.Write(ref _current, keys);
    }

    public void CheckAsymmetricHeader(ReadOnlySpan<byte> senderCertificate, ReadOnlySpan<byte> receiverThumbprint)
    {
        // OPC 10000-6 §6.7.4: the response is signed with the certificate we encrypted to, for our certificate.
        // SenderCertificate may be a chain: the leaf comes first.
        if (!senderCertificate.StartsWith(_remoteCertificate))
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadCertificateInvalid),
                $"The OPN response is signed with another certificate (thumbprint {Convert.ToHexString(CertificateThumbprint.Compute(senderCertificate))}) than the one we encrypted to ({Convert.ToHexString(_remoteThumbprint)}).");
        }

        if (!receiverThumbprint.SequenceEqual(_localThumbprint))
        {
            throw new OpcUaException(
                new StatusCode(StatusCodes.BadCertificateInvalid),
                $"The OPN response was encrypted for certificate {Convert.ToHexString(receiverThumbprint)}, ours is {Convert.ToHexString(_localThumbprint)}.");
        }
    }

    public void Dispose()
    {
        _localKey.Dispose();
        _remoteKey.Dispose();
        Volatile.Read(ref _current)?.Dispose();
        Volatile.Read(ref _previous)?.Dispose();
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowChecksFailed(string message) =>
        throw new OpcUaException(new StatusCode(StatusCodes.BadSecurityChecksFailed), message);

    private static uint ReadTokenId(ReadOnlySpan<byte> chunk) => BinaryPrimitives.ReadUInt32LittleEndian(chunk[12..]);

    /// <summary>The keys of one token: <see cref="Send"/> protects what we send, <see cref="Receive"/> checks what we get.</summary>
    private sealed record TokenKeys(uint TokenId, SymmetricKeys Send, SymmetricKeys Receive) : IDisposable
    {
        public void Dispose()
        {
            Send.Dispose();
            Receive.Dispose();
        }
    }
}
