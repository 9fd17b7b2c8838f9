using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography.X509Certificates;
using Telemetry.Core;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Services;
using Telemetry.OpcUa.Transport;

namespace Telemetry.Benchmarks.OpcUa;

/// <summary>
/// The client's receive path for one PublishResponse under one security setting. Setup (not measured): a server-side
/// <see cref="UaChannelSecurity"/> (or None) cuts the 1,000-value response of <see cref="PublishDecodeBenchmarks"/>
/// into MSG chunks of <see cref="ChunkSize"/> and protects each, as a PLC would send them. <see cref="Receive"/>
/// (measured) does what UaSecureChannel.OnChunk does per chunk: read channel id and token id, copy the chunk out of
/// the receive buffer into a pooled array and <see cref="IChannelSecurity.Unprotect"/> it (None: use it as is),
/// check the sequence number, append the body to the request's <see cref="PendingRequest"/>; then, as the
/// subscription does, decode the reassembled message with <see cref="PublishResponseDecoder"/> to edge samples.
/// The request lookup in the channel's pending map is left out: it costs the same for every setting.
/// </summary>
internal sealed class SecureReceivePath : IDisposable
{
    /// <summary>The usual negotiated chunk size with PLCs (S7-1500, node-opcua default 8192 … 65535).</summary>
    public const int ChunkSize = 8192;

    public const int Values = 1000;

    private const int HeaderSize = 24; // message header 8, channel id 4, token id 4, sequence header 8
    private const uint ChannelId = 42;
    private const uint TokenId = 1;
    private const uint RequestId = 9;

    private readonly IChannelSecurity _server;
    private readonly IChannelSecurity _client;
    private readonly byte[][] _chunks;
    private readonly UaLimits _limits = UaLimits.Default;
    private readonly SampleVisitor _samples = new(Values);
    private readonly Action<IncomingMessage?, Exception?> _onMessage;
    private uint _lastSequenceNumber;

    /// <param name="security">"None", or "policy/mode" (e.g. "Basic256Sha256/SignAndEncrypt").</param>
    public SecureReceivePath(string security, X509Certificate2 clientCertificate, X509Certificate2 serverCertificate)
    {
        Security = security;
        if (security == "None")
        {
            _server = NoneChannelSecurity.Instance;
            _client = NoneChannelSecurity.Instance;
        }
        else
        {
            (_client, _server) = CreatePair(security, clientCertificate, serverCertificate, TokenId);
        }

        Response = PublishDecodeBenchmarks.BuildResponse(Values);
        _chunks = Split(_server, Response);
        _onMessage = OnMessage;

        // One round outside the measurement proves the pair agrees (a wrong setup fails here, not as a fast number).
        if (Receive() != Values)
        {
            throw new InvalidOperationException($"{security}: the received response did not decode to {Values} samples.");
        }
    }

    public static IReadOnlyList<string> Settings { get; } =
    [
        "None",
        "Basic256Sha256/Sign",
        "Basic256Sha256/SignAndEncrypt",
        "Aes128_Sha256_RsaOaep/Sign",
        "Aes128_Sha256_RsaOaep/SignAndEncrypt",
        "Aes256_Sha256_RsaPss/Sign",
        "Aes256_Sha256_RsaPss/SignAndEncrypt",
    ];

    public string Security { get; }

    public byte[] Response { get; }

    public int ChunkCount => _chunks.Length;

    public int WireBytes
    {
        get
        {
            var total = 0;
            foreach (var chunk in _chunks)
            {
                total += chunk.Length;
            }

            return total;
        }
    }

    /// <summary>Receives every chunk of the response and decodes it; returns the samples made.</summary>
    public int Receive()
    {
        _samples.Reset();
        var pending = new PendingRequest(RequestId, request: null, _onMessage);
        foreach (var chunk in _chunks)
        {
            ReceiveChunk(chunk, pending);
        }

        return _samples.Count;
    }

    public void Dispose()
    {
        (_server as IDisposable)?.Dispose();
        (_client as IDisposable)?.Dispose();
    }

    /// <summary>A client and a server channel security for "policy/mode", with one token (the same keys) active on both.</summary>
    internal static (UaChannelSecurity Client, UaChannelSecurity Server) CreatePair(string security, X509Certificate2 clientCertificate, X509Certificate2 serverCertificate, uint tokenId)
    {
        var (policy, mode) = Parse(security);
        var client = new UaChannelSecurity(policy, mode, clientCertificate, serverCertificate, isClient: true);
        var server = new UaChannelSecurity(policy, mode, serverCertificate, clientCertificate, isClient: false);
        var clientNonce = client.CreateNonce();
        var serverNonce = server.CreateNonce();
        client.ActivateToken(tokenId, clientNonce, serverNonce);
        server.ActivateToken(tokenId, clientNonce, serverNonce);
        return (client, server);
    }

    internal static (SecurityPolicy Policy, MessageSecurityMode Mode) Parse(string security)
    {
        var slash = security.IndexOf('/', StringComparison.Ordinal);
        var policy = security[..slash] switch
        {
            "Basic256Sha256" => SecurityPolicy.Basic256Sha256,
            "Aes128_Sha256_RsaOaep" => SecurityPolicy.Aes128Sha256RsaOaep,
            "Aes256_Sha256_RsaPss" => SecurityPolicy.Aes256Sha256RsaPss,
            _ => throw new ArgumentException($"Unknown policy in '{security}'."),
        };
        return (policy, Enum.Parse<MessageSecurityMode>(security[(slash + 1)..]));
    }

    private void ReceiveChunk(ReadOnlySpan<byte> chunk, PendingRequest pending)
    {
        var reader = new UaBinaryReader(chunk[UaTcpMessageHeader.Size..], _limits);
        if (reader.ReadUInt32() != ChannelId || reader.ReadUInt32() != TokenId)
        {
            throw new InvalidOperationException("The chunk's channel or token id changed.");
        }

        var final = chunk[3] == UaTcpMessageHeader.Final;
        if (_client.Mode == MessageSecurityMode.None)
        {
            OnPlainChunk(chunk, chunk.Length, pending, final);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(chunk.Length);
        try
        {
            var copy = rented.AsSpan(0, chunk.Length);
            chunk.CopyTo(copy);
            var bodyEnd = _client.Unprotect(new ArraySegment<byte>(rented, 0, chunk.Length), HeaderSize, asymmetric: false);
            OnPlainChunk(copy, bodyEnd, pending, final);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void OnPlainChunk(ReadOnlySpan<byte> chunk, int bodyEnd, PendingRequest pending, bool final)
    {
        var sequenceNumber = BinaryPrimitives.ReadUInt32LittleEndian(chunk[(HeaderSize - 8)..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(chunk[(HeaderSize - 4)..]) != RequestId)
        {
            throw new InvalidOperationException("The chunk belongs to another request.");
        }

        if (sequenceNumber != 1 && sequenceNumber != _lastSequenceNumber + 1)
        {
            throw new InvalidOperationException($"Sequence number {sequenceNumber} after {_lastSequenceNumber}.");
        }

        _lastSequenceNumber = sequenceNumber;
        pending.Append(chunk[HeaderSize..bodyEnd]);
        if (final)
        {
            pending.Complete();
        }
    }

    private void OnMessage(IncomingMessage? message, Exception? error)
    {
        if (message is null)
        {
            throw new InvalidOperationException("The response failed.", error);
        }

        using (message)
        {
            PublishResponseDecoder.DecodePublish(message.Span, _limits, _samples);
        }
    }

    /// <summary>The server's side: MSG chunks of at most <see cref="ChunkSize"/>, protected by <paramref name="server"/>.</summary>
    private static byte[][] Split(IChannelSecurity server, byte[] body)
    {
        var maxBody = server.MaxBodySize(ChunkSize, HeaderSize, asymmetric: false);
        var count = (body.Length + maxBody - 1) / maxBody;
        var chunks = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var part = body.AsSpan(i * maxBody, Math.Min(maxBody, body.Length - (i * maxBody)));
            var plainLength = HeaderSize + part.Length;
            var chunk = new byte[server.ProtectedLength(plainLength, HeaderSize, asymmetric: false)];
            var type = i == count - 1 ? UaTcpMessageHeader.Final : UaTcpMessageHeader.Intermediate;
            new UaTcpMessageHeader(UaTcpMessageType.Message, type, (uint)chunk.Length).Write(chunk);
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(8), ChannelId);
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(12), TokenId);
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(16), (uint)(i + 1)); // sequence number
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(20), RequestId);
            part.CopyTo(chunk.AsSpan(HeaderSize));
            server.Protect(chunk, plainLength, HeaderSize, asymmetric: false);
            chunks[i] = chunk;
        }

        return chunks;
    }

    /// <summary>The edge's step after decoding: one <see cref="Sample"/> per value (as in <see cref="PublishDecodeBenchmarks"/>).</summary>
    private sealed class SampleVisitor : INotificationVisitor
    {
        private readonly AssetPath[] _paths;
        private readonly Sample[] _out;

        public SampleVisitor(int handles)
        {
            _paths = new AssetPath[handles];
            for (var i = 0; i < handles; i++)
            {
                _paths[i] = new AssetPath("plant-1", "press shop", "L1", $"P{i % 50}", $"tag{i}");
            }

            _out = new Sample[handles];
        }

        public int Count { get; private set; }

        public void Reset() => Count = 0;

        public bool OnNotificationMessage(uint subscriptionId, uint sequenceNumber, DateTime publishTime) => true;

        public void OnDataChange(uint subscriptionId, uint clientHandle, in DataValue value) =>
            _out[Count++] = OpcUaValueConverter.ToSample(_paths[clientHandle], in value, 1_700_000_000_000_000_000);

        public void OnStatusChange(uint subscriptionId, StatusCode status)
        {
        }
    }
}
