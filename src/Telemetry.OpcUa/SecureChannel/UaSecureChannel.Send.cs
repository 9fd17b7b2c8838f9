using System.Buffers;
using System.Buffers.Binary;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Transport;

namespace Telemetry.OpcUa.SecureChannel;

public sealed partial class UaSecureChannel
{
    private uint _sendSequenceNumber;

    private Outgoing CreateOutgoing(UaTcpMessageType type, IServiceRequest request, uint requestId, PendingRequest? pending)
    {
        // The body (encoding id + fields) is encoded once, here, on the caller's thread; the send loop chunks it.
        var body = new PooledBufferWriter(256);
        var writer = new UaBinaryWriter(body);
        writer.WriteNodeId(request.BinaryEncodingId);
        request.Encode(ref writer);
        return new Outgoing(this, type, requestId, body, pending);
    }

    /// <summary>Called by the send loop only: sequence numbers leave in order.</summary>
    private uint NextSendSequenceNumber() => ++_sendSequenceNumber;

    /// <summary>
    /// A message being sent, cut into chunks by the send loop (OPC 10000-6 §6.7.2):
    /// <code>
    /// OPN: | header 8 | ChannelId u32 | PolicyUri String | SenderCertificate ByteString | ReceiverThumbprint ByteString | SequenceNumber u32 | RequestId u32 | body… |
    /// MSG: | header 8 | ChannelId u32 | TokenId u32 | SequenceNumber u32 | RequestId u32 | body… |
    /// </code>
    /// then padding and signature from the security policy (none for None).
    /// </summary>
    private sealed class Outgoing : IUaTcpOutgoing
    {
        private readonly UaSecureChannel _channel;
        private readonly UaTcpMessageType _type;
        private readonly uint _requestId;
        private readonly PooledBufferWriter _body;
        private readonly PendingRequest? _pending;
        private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Outgoing(UaSecureChannel channel, UaTcpMessageType type, uint requestId, PooledBufferWriter body, PendingRequest? pending)
        {
            _channel = channel;
            _type = type;
            _requestId = requestId;
            _body = body;
            _pending = pending;
        }

        public Task Sent => _sent.Task;

        public void WriteTo(IBufferWriter<byte> output, NegotiatedLimits limits)
        {
            try
            {
                WriteChunks(output, limits);
                _sent.TrySetResult();
            }
            finally
            {
                _body.Dispose();
            }
        }

        public void Fail(Exception cause)
        {
            _body.Dispose();
            _sent.TrySetException(cause);
            _pending?.Fail(cause as OpcUaException ?? new OpcUaException(new StatusCode(StatusCodes.BadCommunicationError), cause.Message, cause));
        }

        private void WriteChunks(IBufferWriter<byte> output, NegotiatedLimits limits)
        {
            var security = _channel._security;
            var asymmetric = _type == UaTcpMessageType.OpenSecureChannel;
            var policyUri = System.Text.Encoding.UTF8.GetBytes(security.PolicyUri);
            var certificate = security.SenderCertificate;
            var thumbprint = security.ReceiverCertificateThumbprint;
            var securityHeaderSize = asymmetric
                ? 4 + policyUri.Length + 4 + (certificate?.Length ?? 0) + 4 + (thumbprint?.Length ?? 0)
                : 4;
            var headerSize = UaTcpMessageHeader.Size + 4 + securityHeaderSize + 8;
            var maxBody = security.MaxBodySize(limits.SendChunkSize, headerSize, asymmetric);
            var body = _body.WrittenSpan;
            var chunkCount = Math.Max(1, (body.Length + maxBody - 1) / maxBody);
            if (body.Length > limits.MaxSendMessageSize || chunkCount > limits.MaxSendChunkCount)
            {
                throw new OpcUaException(
                    new StatusCode(StatusCodes.BadRequestTooLarge),
                    $"The request is {body.Length} B in {chunkCount} chunks; the server accepts {limits.MaxSendMessageSize} B in {limits.MaxSendChunkCount} chunks.");
            }

            var tokenId = _channel.TokenId;
            for (var i = 0; i < chunkCount; i++)
            {
                var part = body.Slice(i * maxBody, Math.Min(maxBody, body.Length - (i * maxBody)));
                var plainLength = headerSize + part.Length;
                var chunkLength = security.ProtectedLength(plainLength, headerSize, asymmetric);
                var chunk = output.GetSpan(chunkLength)[..chunkLength];
                new UaTcpMessageHeader(_type, i == chunkCount - 1 ? UaTcpMessageHeader.Final : UaTcpMessageHeader.Intermediate, (uint)chunkLength).Write(chunk);
                var position = UaTcpMessageHeader.Size;
                BinaryPrimitives.WriteUInt32LittleEndian(chunk[position..], _channel._channelId);
                position += 4;
                if (asymmetric)
                {
                    position = WriteByteString(chunk, position, policyUri);
                    position = WriteByteString(chunk, position, certificate);
                    position = WriteByteString(chunk, position, thumbprint);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(chunk[position..], tokenId);
                    position += 4;
                }

                BinaryPrimitives.WriteUInt32LittleEndian(chunk[position..], _channel.NextSendSequenceNumber());
                BinaryPrimitives.WriteUInt32LittleEndian(chunk[(position + 4)..], _requestId);
                part.CopyTo(chunk[(position + 8)..]);
                security.Protect(chunk, plainLength, headerSize, asymmetric);
                output.Advance(chunkLength);
            }
        }

        private static int WriteByteString(Span<byte> chunk, int position, byte[]? value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(chunk[position..], value is null ? -1 : value.Length);
            value?.CopyTo(chunk[(position + 4)..]);
            return position + 4 + (value?.Length ?? 0);
        }
    }
}
