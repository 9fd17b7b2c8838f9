using System.Security.Cryptography;

namespace Telemetry.OpcUa.Security;

/// <summary>The keys one side uses for one token (OPC 10000-6 §6.7.5): signing key, AES key and IV.</summary>
public sealed class SymmetricKeys : IDisposable
{
    private readonly Aes _aes;
    private readonly byte[] _encryptChain = new byte[16];
    private readonly byte[] _decryptChain = new byte[16];
    private ICryptoTransform? _encryptor;
    private ICryptoTransform? _decryptor;

    public SymmetricKeys(byte[] signingKey, byte[] encryptingKey, byte[] initializationVector)
    {
        SigningKey = signingKey;
        EncryptingKey = encryptingKey;
        InitializationVector = initializationVector;
        _aes = Aes.Create();
        _aes.Key = encryptingKey;
        _aes.Mode = CipherMode.CBC;
        _aes.Padding = PaddingMode.None;
    }

    public byte[] SigningKey { get; }

    public byte[] EncryptingKey { get; }

    public byte[] InitializationVector { get; }

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

    /// <summary>
    /// AES-CBC with the token's IV, in place, without allocating: one long-lived CBC transform whose chaining state
    /// is the last cipher block of the previous message; XOR-ing that state and the IV into the first block makes
    /// every message start from the IV again (C1 = E(P1 ^ IV)). One direction only (the send loop).
    /// </summary>
    internal void EncryptInPlace(Span<byte> data)
    {
        _encryptor ??= _aes.CreateEncryptor(EncryptingKey, new byte[16]); // chaining state starts at zero
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(scratch);
            var first = scratch.AsSpan(0, 16);
            Xor(first, InitializationVector);
            Xor(first, _encryptChain);
            _encryptor.TransformBlock(scratch, 0, data.Length, scratch, 0);
            scratch.AsSpan(data.Length - 16, 16).CopyTo(_encryptChain);
            scratch.AsSpan(0, data.Length).CopyTo(data);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>The inverse of <see cref="EncryptInPlace"/>: P1 = D(C1) ^ state ^ IV (the receive loop only).</summary>
    internal void DecryptInPlace(Span<byte> data)
    {
        _decryptor ??= _aes.CreateDecryptor(EncryptingKey, new byte[16]);
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(scratch);
            Span<byte> state = stackalloc byte[16];
            _decryptChain.CopyTo(state);
            data[^16..].CopyTo(_decryptChain);
            _decryptor.TransformBlock(scratch, 0, data.Length, scratch, 0);
            var first = scratch.AsSpan(0, 16);
            Xor(first, state);
            Xor(first, InitializationVector);
            scratch.AsSpan(0, data.Length).CopyTo(data);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < 16; i++)
        {
            target[i] ^= value[i];
        }
    }

    public void Dispose()
    {
        _encryptor?.Dispose();
        _decryptor?.Dispose();
        _aes.Dispose();
    }
}
