using System.Security.Cryptography;

namespace Telemetry.OpcUa.Security;

/// <summary>The keys one side uses for one token (OPC 10000-6 §6.7.5): signing key, AES key and IV.</summary>
public sealed class SymmetricKeys : IDisposable
{
    private readonly Aes _aes;

    public SymmetricKeys(byte[] signingKey, byte[] encryptingKey, byte[] initializationVector)
    {
        SigningKey = signingKey;
        EncryptingKey = encryptingKey;
        InitializationVector = initializationVector;
        _aes = Aes.Create();
        _aes.Key = encryptingKey;
    }

    public byte[] SigningKey { get; }

    public byte[] EncryptingKey { get; }

    public byte[] InitializationVector { get; }

    /// <summary>The AES instance for this key (used by one thread: the send loop or the receive loop).</summary>
    internal Aes Aes => _aes;

    /// <summary>
    /// Derives the client's and the server's keys from the OPN nonces (OPC 10000-6 §6.7.5 Table "PRF inputs"):
    /// client keys = P_SHA(ServerNonce, ClientNonce), server keys = P_SHA(ClientNonce, ServerNonce), each split
    /// into | signing key | encrypting key | IV |.
    /// </summary>
    public static (SymmetricKeys Client, SymmetricKeys Server) Derive(SecurityPolicy policy, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return (Split(policy, serverNonce, clientNonce), Split(policy, clientNonce, serverNonce));
    }

    private static SymmetricKeys Split(SecurityPolicy policy, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed)
    {
        var material = new byte[policy.DerivedSignatureKeyLength + policy.EncryptionKeyLength + policy.SymmetricBlockSize];
        PseudoRandomFunction.Derive(policy.Hash, secret, seed, material);
        var signing = material.AsSpan(0, policy.DerivedSignatureKeyLength).ToArray();
        var encrypting = material.AsSpan(policy.DerivedSignatureKeyLength, policy.EncryptionKeyLength).ToArray();
        var iv = material.AsSpan(policy.DerivedSignatureKeyLength + policy.EncryptionKeyLength).ToArray();
        CryptographicOperations.ZeroMemory(material);
        return new SymmetricKeys(signing, encrypting, iv);
    }

    public void Dispose() => _aes.Dispose();
}
