using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Transport;

namespace Telemetry.OpcUa.Tests.Security;

/// <summary>Two channel security instances (client and server role) protecting chunks for each other.</summary>
public sealed class ChannelSecurityLoopbackTests : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certificates;

    public ChannelSecurityLoopbackTests(TestCertificates certificates) => _certificates = certificates;

    public static TheoryData<string, MessageSecurityMode> PolicyModes()
    {
        var data = new TheoryData<string, MessageSecurityMode>();
        foreach (var name in new[] { nameof(SecurityPolicy.Basic256Sha256), nameof(SecurityPolicy.Aes128Sha256RsaOaep), nameof(SecurityPolicy.Aes256Sha256RsaPss) })
        {
            data.Add(name, MessageSecurityMode.Sign);
            data.Add(name, MessageSecurityMode.SignAndEncrypt);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PolicyModes))]
    public void Protect_OpnBothWays_UnprotectRecoversBody(string name, MessageSecurityMode mode)
    {
        var (client, server) = Pair(SecurityPolicyTests.ByName(name), mode);
        var body = RandomNumberGenerator.GetBytes(300);

        var request = ChunkCodec.Protect(client, UaTcpMessageType.OpenSecureChannel, tokenId: 0, body);
        Assert.Equal(body, ChunkCodec.Unprotect(server, request));
        var response = ChunkCodec.Protect(server, UaTcpMessageType.OpenSecureChannel, tokenId: 0, body);
        Assert.Equal(body, ChunkCodec.Unprotect(client, response));

        // OPN is encrypted even in Sign mode (OPC 10000-6 §6.7.4): the body is not readable on the wire.
        Assert.Equal(-1, request.AsSpan().IndexOf(body.AsSpan(0, 16)));
    }

    [Theory]
    [MemberData(nameof(PolicyModes))]
    public void Protect_MsgBothWays_UnprotectRecoversBody(string name, MessageSecurityMode mode)
    {
        var (client, server) = Pair(SecurityPolicyTests.ByName(name), mode);
        Activate(client, server, 7);
        foreach (var size in new[] { 0, 1, 15, 16, 17, 1000 })
        {
            var body = RandomNumberGenerator.GetBytes(size);

            var chunk = ChunkCodec.Protect(client, UaTcpMessageType.Message, 7, body);
            Assert.Equal(body, ChunkCodec.Unprotect(server, chunk));
            Assert.Equal(body, ChunkCodec.Unprotect(client, ChunkCodec.Protect(server, UaTcpMessageType.Message, 7, body)));
            if (size >= 16)
            {
                Assert.Equal(mode == MessageSecurityMode.Sign, chunk.AsSpan().IndexOf(body.AsSpan(0, 16)) >= 0);
            }
        }
    }

    [Theory]
    [MemberData(nameof(PolicyModes))]
    public void Unprotect_OneFlippedBit_ThrowsBadSecurityChecksFailed(string name, MessageSecurityMode mode)
    {
        var (client, server) = Pair(SecurityPolicyTests.ByName(name), mode);
        Activate(client, server, 3);
        var body = RandomNumberGenerator.GetBytes(200);
        foreach (var type in new[] { UaTcpMessageType.Message, UaTcpMessageType.OpenSecureChannel })
        {
            var chunk = ChunkCodec.Protect(client, type, 3, body);
            // Every 13th byte, one bit each: MSG from the message size on (token id, sequence header, body, padding,
            // signature); OPN from its sequence header on (a changed policy or certificate in front is refused by name).
            var first = type == UaTcpMessageType.Message ? 4 : ChunkCodec.AsymmetricHeaderSize(client) - 8;
            for (var position = first; position < chunk.Length; position += 13)
            {
                var tampered = (byte[])chunk.Clone();
                tampered[position] ^= (byte)(1 << (position % 8));

                var ex = Assert.Throws<OpcUaException>(() => ChunkCodec.Unprotect(server, tampered));
                Assert.Equal(StatusCodes.BadSecurityChecksFailed, ex.StatusCode.Code);
            }
        }
    }

    [Fact]
    public void Unprotect_RenewedToken_OldKeysKeptUntilThePeerUsesTheNewToken()
    {
        var (client, server) = Pair(SecurityPolicy.Basic256Sha256, MessageSecurityMode.SignAndEncrypt);
        Activate(client, server, 1);
        Activate(client, server, 2); // renewal: the client sends with token 2 at once
        var body = "after renewal"u8.ToArray();

        // The server still answers with token 1 until it got a message with token 2.
        Assert.Equal(body, ChunkCodec.Unprotect(client, ChunkCodec.Protect(server, UaTcpMessageType.Message, 1, body)));
        var stale = ChunkCodec.Protect(server, UaTcpMessageType.Message, 1, body);
        Assert.Equal(body, ChunkCodec.Unprotect(server, ChunkCodec.Protect(client, UaTcpMessageType.Message, 2, body)));
        Assert.Equal(body, ChunkCodec.Unprotect(client, ChunkCodec.Protect(server, UaTcpMessageType.Message, 2, body)));

        // Once the server used token 2, token 1 is gone on both sides.
        Assert.Throws<OpcUaException>(() => ChunkCodec.Protect(server, UaTcpMessageType.Message, 1, body));
        var ex = Assert.Throws<OpcUaException>(() => ChunkCodec.Unprotect(client, stale));
        Assert.Equal(StatusCodes.BadSecurityChecksFailed, ex.StatusCode.Code);
    }

    [Fact]
    public void Unprotect_KeysFromOtherNonces_ThrowsBadSecurityChecksFailed()
    {
        var (client, server) = Pair(SecurityPolicy.Aes128Sha256RsaOaep, MessageSecurityMode.Sign);
        client.ActivateToken(1, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        server.ActivateToken(1, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

        var ex = Assert.Throws<OpcUaException>(() => ChunkCodec.Unprotect(server, ChunkCodec.Protect(client, UaTcpMessageType.Message, 1, [1, 2, 3])));

        Assert.Equal(StatusCodes.BadSecurityChecksFailed, ex.StatusCode.Code);
    }

    [Fact]
    public void ActivateToken_ShortServerNonce_ThrowsBadNonceInvalid()
    {
        var (client, _) = Pair(SecurityPolicy.Basic256Sha256, MessageSecurityMode.Sign);

        var ex = Assert.Throws<OpcUaException>(() => client.ActivateToken(1, new byte[32], new byte[16]));

        Assert.Equal(StatusCodes.BadNonceInvalid, ex.StatusCode.Code);
    }

    [Fact]
    public void CheckAsymmetricHeader_ResponseSignedByAnotherCertificate_IsRefused()
    {
        var (client, _) = Pair(SecurityPolicy.Basic256Sha256, MessageSecurityMode.Sign);

        var ex = Assert.Throws<OpcUaException>(() => client.CheckAsymmetricHeader(_certificates.Other.RawData, CertificateThumbprint.Compute(_certificates.Client.RawData)));

        Assert.Equal(StatusCodes.BadCertificateInvalid, ex.StatusCode.Code);
        client.CheckAsymmetricHeader(_certificates.Server.RawData, CertificateThumbprint.Compute(_certificates.Client.RawData));
    }

    [Theory]
    [InlineData(8192)]
    [InlineData(65536)]
    public void MaxBodySize_FullChunk_ProtectedLengthFitsTheChunk(int chunkSize)
    {
        foreach (var mode in new[] { MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt })
        {
            var (client, _) = Pair(SecurityPolicy.Aes256Sha256RsaPss, mode);
            foreach (var asymmetric in new[] { false, true })
            {
                var headerSize = asymmetric ? ChunkCodec.AsymmetricHeaderSize(client) : 24;
                var body = client.MaxBodySize(chunkSize, headerSize, asymmetric);
                var length = client.ProtectedLength(headerSize + body, headerSize, asymmetric);

                Assert.InRange(length, chunkSize - 600, chunkSize);
            }
        }
    }

    private (UaChannelSecurity Client, UaChannelSecurity Server) Pair(SecurityPolicy policy, MessageSecurityMode mode) =>
        (new UaChannelSecurity(policy, mode, _certificates.Client, _certificates.Server, isClient: true),
         new UaChannelSecurity(policy, mode, _certificates.Server, _certificates.Client, isClient: false));

    private static void Activate(UaChannelSecurity client, UaChannelSecurity server, uint tokenId)
    {
        var clientNonce = client.CreateNonce();
        var serverNonce = server.CreateNonce();
        client.ActivateToken(tokenId, clientNonce, serverNonce);
        server.ActivateToken(tokenId, clientNonce, serverNonce);
    }
}

/// <summary>Builds and reads chunks the way UaSecureChannel does (layouts at its Outgoing class).</summary>
internal static class ChunkCodec
{
    private const uint ChannelId = 42;

    public static int AsymmetricHeaderSize(IChannelSecurity security) =>
        8 + 4 + 4 + security.PolicyUri.Length + 4 + security.SenderCertificate!.Length + 4 + security.ReceiverCertificateThumbprint!.Length + 8;

    public static byte[] Protect(IChannelSecurity security, UaTcpMessageType type, uint tokenId, byte[] body)
    {
        var asymmetric = type == UaTcpMessageType.OpenSecureChannel;
        var headerSize = asymmetric ? AsymmetricHeaderSize(security) : 24;
        var plainLength = headerSize + body.Length;
        var chunk = new byte[security.ProtectedLength(plainLength, headerSize, asymmetric)];
        new UaTcpMessageHeader(type, UaTcpMessageHeader.Final, (uint)chunk.Length).Write(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(8), ChannelId);
        var position = 12;
        if (asymmetric)
        {
            position = WriteByteString(chunk, position, System.Text.Encoding.UTF8.GetBytes(security.PolicyUri));
            position = WriteByteString(chunk, position, security.SenderCertificate);
            position = WriteByteString(chunk, position, security.ReceiverCertificateThumbprint);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(position), tokenId);
            position += 4;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(position), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(position + 4), 9);
        body.CopyTo(chunk.AsSpan(headerSize));
        security.Protect(chunk, plainLength, headerSize, asymmetric);
        return chunk;
    }

    public static byte[] Unprotect(IChannelSecurity security, byte[] chunk)
    {
        var copy = (byte[])chunk.Clone();
        var asymmetric = copy[0] == (byte)'O';
        var headerSize = 24;
        if (asymmetric)
        {
            // The receiver learns the header size from the security header's three length-prefixed fields.
            var position = 12;
            for (var i = 0; i < 3; i++)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(copy.AsSpan(position));
                if (length < 0 || length > copy.Length)
                {
                    throw new OpcUaException(new StatusCode(StatusCodes.BadSecurityChecksFailed), "security header length out of range");
                }

                position += 4 + Math.Max(0, length);
            }

            headerSize = position + 8;
        }

        var end = security.Unprotect(copy, headerSize, asymmetric);
        return copy[headerSize..end];
    }

    private static int WriteByteString(byte[] chunk, int position, byte[]? value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(position), value?.Length ?? -1);
        value?.CopyTo(chunk.AsSpan(position + 4));
        return position + 4 + (value?.Length ?? 0);
    }
}

/// <summary>Client, server and a stranger certificate, created once per test class (RSA key generation is slow).</summary>
public sealed class TestCertificates : IDisposable
{
    public X509Certificate2 Client { get; } = ApplicationCertificateFactory.Create("urn:test:client", "Test client", ["localhost"]);

    public X509Certificate2 Server { get; } = ApplicationCertificateFactory.Create("urn:test:server", "Test server", ["127.0.0.1"]);

    public X509Certificate2 Other { get; } = ApplicationCertificateFactory.Create("urn:test:other", "Stranger", ["localhost"]);

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        Other.Dispose();
    }
}

public sealed class ChannelSecurityAllocationTests : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certificates;

    public ChannelSecurityAllocationTests(TestCertificates certificates) => _certificates = certificates;

    [Theory]
    [InlineData(MessageSecurityMode.Sign)]
    [InlineData(MessageSecurityMode.SignAndEncrypt)]
    public void ProtectUnprotect_MsgChunksInSteadyState_AllocateNothing(MessageSecurityMode mode)
    {
        var client = new UaChannelSecurity(SecurityPolicy.Aes256Sha256RsaPss, mode, _certificates.Client, _certificates.Server, isClient: true);
        var server = new UaChannelSecurity(SecurityPolicy.Aes256Sha256RsaPss, mode, _certificates.Server, _certificates.Client, isClient: false);
        var clientNonce = client.CreateNonce();
        var serverNonce = server.CreateNonce();
        client.ActivateToken(1, clientNonce, serverNonce);
        server.ActivateToken(1, clientNonce, serverNonce);
        var template = ChunkCodec.Protect(client, UaTcpMessageType.Message, 1, new byte[8000]);
        var chunk = new byte[template.Length];
        const int plainLength = 24 + 8000;

        void RoundTrip()
        {
            template.AsSpan(0, plainLength).CopyTo(chunk);
            client.Protect(chunk, plainLength, 24, asymmetric: false);
            server.Unprotect(chunk, 24, asymmetric: false);
        }

        for (var i = 0; i < 100; i++)
        {
            RoundTrip();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            RoundTrip();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
