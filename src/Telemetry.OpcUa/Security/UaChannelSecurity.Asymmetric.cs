using System.Buffers;
using System.Security.Cryptography;

namespace Telemetry.OpcUa.Security;

public sealed partial class UaChannelSecurity
{
    // OPN chunk (OPC 10000-6 §6.7.2): | header | asymmetric security header | sequence header | body | padding | signature |
    // signed from the start to the end of the padding with the sender's key; encrypted from the sequence header on
    // with the receiver's key, in plain blocks of (key size - OAEP overhead) that become key-size cipher blocks.

    private int AsymmetricMaxBody(int chunkSize, int encryptStart)
    {
        var plainBlock = AsymmetricCrypto.PlainBlockSize(_policy, _remoteKeyBytes);
        var maxPlain = (chunkSize - encryptStart) / _remoteKeyBytes * plainBlock;
        return maxPlain - 8 - _localKeyBytes - (_remoteKeyBytes > 256 ? 2 : 1);
    }

    private int AsymmetricProtectedLength(int plainLength, int encryptStart)
    {
        var extra = _remoteKeyBytes > 256;
        var plainBlock = AsymmetricCrypto.PlainBlockSize(_policy, _remoteKeyBytes);
        var count = MessagePadding.Count(plainLength - encryptStart, _localKeyBytes, plainBlock, extra);
        var plainTotal = plainLength - encryptStart + MessagePadding.Length(count, extra) + _localKeyBytes;
        return encryptStart + (plainTotal / plainBlock * _remoteKeyBytes);
    }

    private void AsymmetricProtect(Span<byte> chunk, int plainLength, int encryptStart)
    {
        var extra = _remoteKeyBytes > 256;
        var plainBlock = AsymmetricCrypto.PlainBlockSize(_policy, _remoteKeyBytes);
        var count = MessagePadding.Count(plainLength - encryptStart, _localKeyBytes, plainBlock, extra);
        var padded = plainLength + MessagePadding.Length(count, extra);
        var plainTotal = padded + _localKeyBytes - encryptStart;
        var rented = ArrayPool<byte>.Shared.Rent(padded + _localKeyBytes);
        try
        {
            // The encrypted form is longer than the plain text: build padding + signature in a copy, encrypt into the chunk.
            var plain = rented.AsSpan(0, padded + _localKeyBytes);
            chunk[..plainLength].CopyTo(plain);
            MessagePadding.Write(plain[plainLength..], count, extra);
            AsymmetricCrypto.Sign(_policy, _localKey, plain[..padded], plain.Slice(padded, _localKeyBytes));
            AsymmetricCrypto.Encrypt(_policy, _remoteKey, plain.Slice(encryptStart, plainTotal), chunk[encryptStart..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private int AsymmetricUnprotect(Span<byte> chunk, int encryptStart)
    {
        var cipher = chunk[encryptStart..];
        var rented = ArrayPool<byte>.Shared.Rent(cipher.Length);
        int plainEnd;
        try
        {
            var written = AsymmetricCrypto.TryDecrypt(_policy, _localKey, cipher, rented);
            if (written < 0)
            {
                ThrowChecksFailed($"An OPN chunk of {chunk.Length} B does not decrypt with our {_localKey.KeySize}-bit key ({_policy.Name}).");
            }

            rented.AsSpan(0, written).CopyTo(cipher);
            plainEnd = encryptStart + written;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }

        var signatureAt = plainEnd - _remoteKeyBytes;
        if (signatureAt < encryptStart + 8
            || !AsymmetricCrypto.Verify(_policy, _remoteKey, chunk[..signatureAt], chunk.Slice(signatureAt, _remoteKeyBytes)))
        {
            ThrowChecksFailed($"The signature of an OPN chunk does not verify with the peer's certificate ({_policy.Name}).");
        }

        var padding = MessagePadding.Read(chunk[(encryptStart + 8)..signatureAt], _localKeyBytes > 256);
        if (padding < 0)
        {
            ThrowChecksFailed("An OPN chunk has malformed padding.");
        }

        return signatureAt - padding;
    }
}
