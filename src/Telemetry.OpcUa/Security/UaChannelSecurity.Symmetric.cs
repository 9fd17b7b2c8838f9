namespace Telemetry.OpcUa.Security;

public sealed partial class UaChannelSecurity
{
    // MSG/CLO chunk (OPC 10000-6 §6.7.2): | header | TokenId | sequence header | body | padding (encrypt only) | HMAC |
    // HMAC from the start to the end of the padding; AES-CBC (SignAndEncrypt) from the sequence header to the end.

    public int MaxBodySize(int chunkSize, int headerSize, bool asymmetric)
    {
        var encryptStart = headerSize - 8;
        if (asymmetric)
        {
            return AsymmetricMaxBody(chunkSize, encryptStart);
        }

        var signature = _policy.SymmetricSignatureSize;
        if (Mode == SecureChannel.MessageSecurityMode.Sign)
        {
            return chunkSize - headerSize - signature;
        }

        var encryptable = (chunkSize - encryptStart) / _policy.SymmetricBlockSize * _policy.SymmetricBlockSize;
        return encryptable - 8 - signature - 1;
    }

    public int ProtectedLength(int plainLength, int headerSize, bool asymmetric)
    {
        var encryptStart = headerSize - 8;
        if (asymmetric)
        {
            return AsymmetricProtectedLength(plainLength, encryptStart);
        }

        var signature = _policy.SymmetricSignatureSize;
        if (Mode == SecureChannel.MessageSecurityMode.Sign)
        {
            return plainLength + signature;
        }

        var count = MessagePadding.Count(plainLength - encryptStart, signature, _policy.SymmetricBlockSize, extraPadding: false);
        return plainLength + MessagePadding.Length(count, extraPadding: false) + signature;
    }

    public void Protect(Span<byte> chunk, int plainLength, int headerSize, bool asymmetric)
    {
        var encryptStart = headerSize - 8;
        if (asymmetric)
        {
            AsymmetricProtect(chunk, plainLength, encryptStart);
            return;
        }

        var tokenId = ReadTokenId(chunk);
        var keys = KeysFor(tokenId)?.Send;
        if (keys is null)
        {
            ThrowChecksFailed($"No keys for token {tokenId}: the channel has no such token.");
        }

        var signature = _policy.SymmetricSignatureSize;
        var signedEnd = plainLength;
        if (Mode == SecureChannel.MessageSecurityMode.SignAndEncrypt)
        {
            var count = MessagePadding.Count(plainLength - encryptStart, signature, _policy.SymmetricBlockSize, extraPadding: false);
            MessagePadding.Write(chunk[plainLength..], count, extraPadding: false);
            signedEnd += MessagePadding.Length(count, extraPadding: false);
        }

        SymmetricCrypto.Sign(_policy, keys, chunk[..signedEnd], chunk.Slice(signedEnd, signature));
        if (Mode == SecureChannel.MessageSecurityMode.SignAndEncrypt)
        {
            SymmetricCrypto.Encrypt(keys, chunk[encryptStart..(signedEnd + signature)]);
        }
    }

    public int Unprotect(ArraySegment<byte> chunk, int headerSize, bool asymmetric)
    {
        var span = chunk.AsSpan();
        var encryptStart = headerSize - 8;
        if (asymmetric)
        {
            return AsymmetricUnprotect(span, encryptStart);
        }

        var tokenId = ReadTokenId(span);
        var token = KeysFor(tokenId);
        if (token is null)
        {
            ThrowChecksFailed($"A chunk uses token {tokenId}, which this channel does not have.");
        }

        var keys = token.Receive;
        if (Mode == SecureChannel.MessageSecurityMode.SignAndEncrypt && !SymmetricCrypto.TryDecryptInPlace(keys, chunk[encryptStart..]))
        {
            ThrowChecksFailed($"An encrypted chunk of {span.Length} B is not a whole number of AES blocks.");
        }

        var signature = _policy.SymmetricSignatureSize;
        var signatureAt = span.Length - signature;
        if (signatureAt < headerSize || !SymmetricCrypto.Verify(_policy, keys, span[..signatureAt], span[signatureAt..]))
        {
            ThrowChecksFailed($"The signature of a {span.Length} B chunk (token {tokenId}) does not verify: the message was altered or the keys differ.");
        }

        var bodyEnd = signatureAt;
        if (Mode == SecureChannel.MessageSecurityMode.SignAndEncrypt)
        {
            var padding = MessagePadding.Read(span[headerSize..signatureAt], extraPadding: false);
            if (padding < 0)
            {
                ThrowChecksFailed("A chunk has malformed padding.");
            }

            bodyEnd -= padding;
        }

        if (ReferenceEquals(token, Volatile.Read(ref _current)))
        {
            // The peer uses the new token: the previous one's keys are no longer needed (OPC 10000-4 §5.5.2.1).
            Volatile.Write(ref _previous, null);
        }

        return bodyEnd;
    }

    private TokenKeys? KeysFor(uint tokenId)
    {
        var current = Volatile.Read(ref _current);
        if (current?.TokenId == tokenId)
        {
            return current;
        }

        var previous = Volatile.Read(ref _previous);
        return previous?.TokenId == tokenId ? previous : null;
    }
}
