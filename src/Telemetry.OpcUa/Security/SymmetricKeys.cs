using System.Security.Cryptography;

namespace Telemetry.OpcUa.Security;

/// <summary>The keys one side uses for one token (OPC 10000-6 §6.7.5): signing key, AES key and IV.</summary>
public sealed class SymmetricKeys : IDisposable
{
    private readonly Aes _aes;
    private readonly HashAlgorithmName _signatureHash;
    private readonly byte[] _encryptChain = new byte[16];
    private readonly byte[] _decryptChain = new byte[16];
    private ICryptoTransform? _encryptor;
    private ICryptoTransform? _decryptor;
    private IncrementalHash? _hmac;

    /// <param name="signingKey">The HMAC key.</param>
    /// <param name="encryptingKey">The AES key (16 or 32 bytes).</param>
    /// <param name="initializationVector">The token's IV; every message starts from it.</param>
    /// <param name="signatureHash">The HMAC's hash: SHA-256, or SHA-1 for the deprecated policies.</param>
    public SymmetricKeys(byte[] signingKey, byte[] encryptingKey, byte[] initializationVector, HashAlgorithmName signatureHash)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        _ = PseudoRandomFunction.HashSize(signatureHash); // SHA-1 or SHA-256 only
        _signatureHash = signatureHash;
        SigningKey = signingKey;
        EncryptingKey = encryptingKey;
        InitializationVector = initializationVector;
        _aes = Aes.Create();
        _aes.Key = encryptingKey;
        _aes.Mode = CipherMode.CBC;
        _aes.Padding = PaddingMode.None;
    }

    /// <summary>Keys of a SHA-256 policy (HMAC-SHA256).</summary>
    public SymmetricKeys(byte[] signingKey, byte[] encryptingKey, byte[] initializationVector)
        : this(signingKey, encryptingKey, initializationVector, HashAlgorithmName.SHA256)
    {
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
        return new SymmetricKeys(signing, encrypting, iv, policy.Hash);
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

    /// <summary>The inverse of <see cref="EncryptInPlace"/> for a span: through a pooled array (the transform takes arrays).</summary>
    internal void DecryptInPlace(Span<byte> data)
    {
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(scratch);
            DecryptInPlace(new ArraySegment<byte>(scratch, 0, data.Length));
            scratch.AsSpan(0, data.Length).CopyTo(data);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The inverse of <see cref="EncryptInPlace"/>, where the data is: P1 = D(C1) ^ state ^ IV, the state being the
    /// last cipher block of the previous message (the receive loop only; length a multiple of 16).
    /// </summary>
    internal void DecryptInPlace(ArraySegment<byte> data)
    {
        _decryptor ??= _aes.CreateDecryptor(EncryptingKey, new byte[16]);
        Span<byte> state = stackalloc byte[16];
        _decryptChain.CopyTo(state);
        data.AsSpan(data.Count - 16, 16).CopyTo(_decryptChain);
        var written = _decryptor.TransformBlock(data.Array!, data.Offset, data.Count, data.Array!, data.Offset);
        if (written != data.Count)
        {
            throw new CryptographicException($"AES-CBC decrypted {written} of {data.Count} B.");
        }

        var first = data.AsSpan(0, 16);
        Xor(first, state);
        Xor(first, InitializationVector);
    }

    /// <summary>
    /// HMAC of <paramref name="data"/> with <see cref="SigningKey"/> into <paramref name="signature"/> (the hash's
    /// size). One long-lived HMAC whose key is set up once: the per-call key schedule and native context of the static
    /// HMACSHA256.HashData cost ~20 % on an 8 KiB chunk. One thread at a time, as the keys of one direction are used
    /// (the send loop signs with the send keys, the receive loop verifies with the receive keys).
    /// </summary>
    internal void Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        var hmac = _hmac ??= IncrementalHash.CreateHMAC(_signatureHash, SigningKey);
        hmac.AppendData(data);
        if (!hmac.TryGetHashAndReset(signature, out _))
        {
            throw new ArgumentException($"A {_signatureHash.Name} signature needs {hmac.HashLengthInBytes} B; the destination has {signature.Length} B.", nameof(signature));
        }
    }

    /// <summary>True when <paramref name="signature"/> is the HMAC of <paramref name="data"/> (constant time).</summary>
    internal bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        Span<byte> expected = stackalloc byte[32];
        expected = expected[..PseudoRandomFunction.HashSize(_signatureHash)];
        Sign(data, expected);
        return CryptographicOperations.FixedTimeEquals(expected, signature);
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
        _hmac?.Dispose();
        _aes.Dispose();
    }
}
