using System.Buffers;
using System.Buffers.Binary;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Transport;

namespace Telemetry.OpcUa.SecureChannel;

public sealed partial class UaSecureChannel
{
    private uint _receiveSequenceNumber;
    private bool _receivedAny;
    private int _securityFailures;

    /// <summary>
    /// One chunk from the receive loop (layouts at <see cref="Outgoing"/>). Chunks of one response are collected
    /// per request id until 'F'; an 'A' chunk fails that request with its error; every size and count is
    /// checked against the limits before buffering. A protocol violation breaks the channel.
    /// </summary>
    void IUaTcpReceiver.OnChunk(UaTcpMessageHeader header, ReadOnlySpan<byte> chunk)
    {
        if (header.MessageType is not (UaTcpMessageType.Message or UaTcpMessageType.OpenSecureChannel or UaTcpMessageType.CloseSecureChannel))
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadTcpMessageTypeInvalid), $"{EndpointUrl} sent {header} on an open channel.");
        }

        var asymmetric = header.MessageType == UaTcpMessageType.OpenSecureChannel;
        var reader = new UaBinaryReader(chunk[UaTcpMessageHeader.Size..], _options.Limits);
        var channelId = reader.ReadUInt32();
        if (_channelId != 0 && channelId != _channelId)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadSecureChannelIdInvalid), $"{EndpointUrl} sent channel id {channelId} on channel {_channelId}.");
        }

        if (asymmetric)
        {
            var policy = reader.ReadString();
            var senderCertificate = reader.ReadByteStringSpan();
            var receiverThumbprint = reader.ReadByteStringSpan();
            if (!string.Equals(policy, _security.PolicyUri, StringComparison.Ordinal))
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadSecurityPolicyRejected), $"{EndpointUrl} answered OPN with policy {SecurityPolicies.ShortName(policy)}, we asked for {SecurityPolicies.ShortName(_security.PolicyUri)}.");
            }

            _security.CheckAsymmetricHeader(senderCertificate, receiverThumbprint);
        }
        else
        {
            var tokenId = reader.ReadUInt32();
            if (tokenId != TokenId && tokenId != _previousTokenId)
            {
                throw new OpcUaException(new StatusCode(StatusCodes.BadSecureChannelTokenUnknown), $"{EndpointUrl} used token {tokenId}; ours is {TokenId}.");
            }
        }

        var headerSize = UaTcpMessageHeader.Size + reader.Position + 8;
        if (chunk.Length < headerSize)
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadDecodingError), $"{EndpointUrl} sent a {chunk.Length} B {header.MessageType} chunk, shorter than its {headerSize} B headers.");
        }

        if (_security.Mode == MessageSecurityMode.None)
        {
            OnPlainChunk(header, chunk, headerSize, chunk.Length);
            return;
        }

        // Signed (and encrypted): verify and decrypt a copy in place; the receive buffer is read-only to us.
        var rented = ArrayPool<byte>.Shared.Rent(chunk.Length);
        try
        {
            var copy = rented.AsSpan(0, chunk.Length);
            chunk.CopyTo(copy);
            int bodyEnd;
            try
            {
                bodyEnd = _security.Unprotect(new ArraySegment<byte>(rented, 0, chunk.Length), headerSize, asymmetric);
            }
            catch (OpcUaException ex)
            {
                Interlocked.Increment(ref _securityFailures);
                throw new OpcUaException(ex.StatusCode, $"{EndpointUrl} sent a {header.MessageType} chunk that failed the {SecurityPolicies.ShortName(_security.PolicyUri)} {_security.Mode} checks; the channel is closed and re-established: {ex.Message}", ex);
            }

            OnPlainChunk(header, copy, headerSize, bodyEnd);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Chunks that failed verification (tampered, wrong keys) since the channel was created.</summary>
    public int SecurityFailures => Volatile.Read(ref _securityFailures);

    /// <summary>A verified, decrypted chunk: <c>| headers | SequenceNumber | RequestId |</c> end at <paramref name="headerSize"/>.</summary>
    private void OnPlainChunk(UaTcpMessageHeader header, ReadOnlySpan<byte> chunk, int headerSize, int bodyEnd)
    {
        var sequenceNumber = BinaryPrimitives.ReadUInt32LittleEndian(chunk[(headerSize - 8)..]);
        var requestId = BinaryPrimitives.ReadUInt32LittleEndian(chunk[(headerSize - 4)..]);
        CheckSequenceNumber(sequenceNumber);
        var body = chunk[headerSize..bodyEnd];

        if (!_pending.TryGetValue(requestId, out var pending))
        {
            return; // a response after its timeout: dropped
        }

        switch (header.ChunkType)
        {
            case UaTcpMessageHeader.Abort:
            {
                var error = ErrorMessage.Decode(body);
                _pending.TryRemove(requestId, out _);
                pending.Fail(error.ToException($"{EndpointUrl} aborted the response to request {requestId}"));
                return;
            }

            case UaTcpMessageHeader.Intermediate or UaTcpMessageHeader.Final:
            {
                var limits = _connection.Limits!;
                if (pending.ChunkCount + 1 > limits.MaxReceiveChunkCount || (long)pending.Length + body.Length > limits.MaxReceiveMessageSize)
                {
                    _pending.TryRemove(requestId, out _);
                    var tooLarge = new OpcUaException(
                        new StatusCode(StatusCodes.BadTcpMessageTooLarge),
                        $"{EndpointUrl} sent a response over {pending.ChunkCount + 1} chunks / {pending.Length + body.Length} B; the limits are {limits.MaxReceiveChunkCount} chunks / {limits.MaxReceiveMessageSize} B (UaLimits).");
                    pending.Fail(tooLarge);
                    throw tooLarge;
                }

                pending.Append(body);
                if (header.ChunkType == UaTcpMessageHeader.Final)
                {
                    _pending.TryRemove(requestId, out _);
                    pending.Complete();
                }

                return;
            }
        }
    }

    private void CheckSequenceNumber(uint sequenceNumber)
    {
        // OPC 10000-6 §6.7.2.4: +1 per chunk; it may wrap to a value below 1024 after 4294966271.
        if (_receivedAny && sequenceNumber != unchecked(_receiveSequenceNumber + 1)
            && !(_receiveSequenceNumber > 4_294_966_271u && sequenceNumber < 1024))
        {
            throw new OpcUaException(new StatusCode(StatusCodes.BadSequenceNumberInvalid), $"{EndpointUrl} sent sequence number {sequenceNumber} after {_receiveSequenceNumber}.");
        }

        _receivedAny = true;
        _receiveSequenceNumber = sequenceNumber;
    }
}
