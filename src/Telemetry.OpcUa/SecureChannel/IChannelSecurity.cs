namespace Telemetry.OpcUa.SecureChannel;

/// <summary>
/// The seam where a security policy plugs into the secure channel (OPC 10000-6 §6.7.2): the asymmetric header
/// fields for OPN, the nonces and keys of each token, and the protection of each chunk (padding, signature,
/// encryption). <see cref="NoneChannelSecurity"/> for None; <see cref="Security.UaChannelSecurity"/> for the RSA policies.
/// </summary>
public interface IChannelSecurity
{
    string PolicyUri { get; }

    MessageSecurityMode Mode { get; }

    /// <summary>Our DER certificate for the OPN asymmetric header (null for None).</summary>
    byte[]? SenderCertificate { get; }

    /// <summary>SHA-1 thumbprint of the server certificate for the OPN asymmetric header (null for None).</summary>
    byte[]? ReceiverCertificateThumbprint { get; }

    /// <summary>A fresh nonce for an OPN request (empty for None).</summary>
    byte[] CreateNonce();

    /// <summary>Derives the keys of a token from the OPN request's and response's nonces (BadNonceInvalid when a nonce has the wrong length).</summary>
    void ActivateToken(uint tokenId, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce);

    /// <summary>Checks an OPN response's sender certificate and receiver thumbprint (OPC 10000-6 §6.7.2.3).</summary>
    void CheckAsymmetricHeader(ReadOnlySpan<byte> senderCertificate, ReadOnlySpan<byte> receiverThumbprint);

    /// <summary>Bytes a chunk of <paramref name="chunkSize"/> can carry as body after <paramref name="headerSize"/> (padding and signature subtracted).</summary>
    int MaxBodySize(int chunkSize, int headerSize, bool asymmetric);

    /// <summary>Total chunk length after protection of a chunk whose headers+body end at <paramref name="plainLength"/>.</summary>
    int ProtectedLength(int plainLength, int headerSize, bool asymmetric);

    /// <summary>Adds padding and signature and encrypts in place; <paramref name="chunk"/> spans the protected length.</summary>
    void Protect(Span<byte> chunk, int plainLength, int headerSize, bool asymmetric);

    /// <summary>
    /// Decrypts and verifies in place; returns where the body ends (before padding and signature). A chunk that
    /// does not verify throws an <see cref="OpcUaException"/> with BadSecurityChecksFailed. An array segment, not a
    /// span: .NET's reusable AES-CBC transform works on arrays, so the chunk decrypts where it is, without a copy
    /// in and out (the receive loop has it in a pooled array anyway).
    /// </summary>
    int Unprotect(ArraySegment<byte> chunk, int headerSize, bool asymmetric);
}

/// <summary>SecurityPolicy None: no signature, no encryption.</summary>
public sealed class NoneChannelSecurity : IChannelSecurity
{
    public static readonly NoneChannelSecurity Instance = new();

    public string PolicyUri => SecurityPolicies.None;

    public MessageSecurityMode Mode => MessageSecurityMode.None;

    public byte[]? SenderCertificate => null;

    public byte[]? ReceiverCertificateThumbprint => null;

    public byte[] CreateNonce() => [];

    public void ActivateToken(uint tokenId, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
    }

    public void CheckAsymmetricHeader(ReadOnlySpan<byte> senderCertificate, ReadOnlySpan<byte> receiverThumbprint)
    {
    }

    public int MaxBodySize(int chunkSize, int headerSize, bool asymmetric) => chunkSize - headerSize;

    public int ProtectedLength(int plainLength, int headerSize, bool asymmetric) => plainLength;

    public void Protect(Span<byte> chunk, int plainLength, int headerSize, bool asymmetric)
    {
    }

    public int Unprotect(ArraySegment<byte> chunk, int headerSize, bool asymmetric) => chunk.Count;
}

/// <summary>Security policy URIs (OPC 10000-7) and their short names.</summary>
public static class SecurityPolicies
{
    public const string None = "http://opcfoundation.org/UA/SecurityPolicy#None";
    public const string Basic128Rsa15 = "http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15";
    public const string Basic256 = "http://opcfoundation.org/UA/SecurityPolicy#Basic256";
    public const string Basic256Sha256 = "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256";
    public const string Aes128Sha256RsaOaep = "http://opcfoundation.org/UA/SecurityPolicy#Aes128_Sha256_RsaOaep";
    public const string Aes256Sha256RsaPss = "http://opcfoundation.org/UA/SecurityPolicy#Aes256_Sha256_RsaPss";

    /// <summary>"Basic256Sha256" for its URI (the part after '#').</summary>
    public static string ShortName(string? uri)
    {
        if (string.IsNullOrEmpty(uri))
        {
            return "(none given)";
        }

        var hash = uri.LastIndexOf('#');
        return hash >= 0 ? uri[(hash + 1)..] : uri;
    }
}
