using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Transport;

namespace Telemetry.Benchmarks.OpcUa;

/// <summary>
/// The OPC UA secure channel's per-chunk cost: one operation protects a full 8 KiB MSG chunk on the sending side
/// (padding, HMAC-SHA256, AES-CBC for SignAndEncrypt) and unprotects it on the receiving side (decrypt, verify), with
/// a client/server pair of <see cref="UaChannelSecurity"/> sharing one derived token (the loopback setup of
/// ChannelSecurityLoopbackTests). None is the baseline: MB/s of a case = <see cref="ChunkSize"/> / mean time, and the
/// issue's target is SignAndEncrypt at ≥ 70 % of None's end-to-end throughput (bench/RESULTS.md).
/// Run: dotnet run -c Release --project bench/Telemetry.Benchmarks -- --filter '*ChannelSecurityBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(WideSecurityColumn))]
public class ChannelSecurityBenchmarks
{
    /// <summary>The usual negotiated chunk size with PLCs (S7-1500, node-opcua default 8192 … 65535).</summary>
    public const int ChunkSize = 8192;

    private const int HeaderSize = 24; // message header 8, channel id 4, token id 4, sequence header 8
    private const uint TokenId = 1;

    private X509Certificate2? _clientCertificate;
    private X509Certificate2? _serverCertificate;
    private IChannelSecurity _sender = NoneChannelSecurity.Instance;
    private IChannelSecurity _receiver = NoneChannelSecurity.Instance;
    private byte[] _plain = [];
    private byte[] _chunk = [];
    private int _plainLength;

    /// <summary>"None", or "policy/mode" for each of the three policies with Sign and SignAndEncrypt.</summary>
    [Params(
        "None",
        "Basic256Sha256/Sign",
        "Basic256Sha256/SignAndEncrypt",
        "Aes128_Sha256_RsaOaep/Sign",
        "Aes128_Sha256_RsaOaep/SignAndEncrypt",
        "Aes256_Sha256_RsaPss/Sign",
        "Aes256_Sha256_RsaPss/SignAndEncrypt")]
    public string Security { get; set; } = "None";

    [GlobalSetup]
    public void Setup()
    {
        if (Security != "None")
        {
            _clientCertificate = ApplicationCertificateFactory.Create("urn:bench:client", "Bench client", ["localhost"]);
            _serverCertificate = ApplicationCertificateFactory.Create("urn:bench:server", "Bench server", ["127.0.0.1"]);
            (_sender, _receiver) = SecureReceivePath.CreatePair(Security, _clientCertificate, _serverCertificate, TokenId);
        }

        var body = _sender.MaxBodySize(ChunkSize, HeaderSize, asymmetric: false);
        _plainLength = HeaderSize + body;
        var length = _sender.ProtectedLength(_plainLength, HeaderSize, asymmetric: false);
        _plain = new byte[length];
        _chunk = new byte[length];
        new UaTcpMessageHeader(UaTcpMessageType.Message, UaTcpMessageHeader.Final, (uint)length).Write(_plain);
        BinaryPrimitives.WriteUInt32LittleEndian(_plain.AsSpan(8), 42); // secure channel id
        BinaryPrimitives.WriteUInt32LittleEndian(_plain.AsSpan(12), TokenId);
        BinaryPrimitives.WriteUInt32LittleEndian(_plain.AsSpan(16), 1); // sequence number
        BinaryPrimitives.WriteUInt32LittleEndian(_plain.AsSpan(20), 9); // request id
        RandomNumberGenerator.Fill(_plain.AsSpan(HeaderSize, body));

        // One round outside the measurement proves the pair agrees (a wrong setup fails here, not as a fast number).
        if (ProtectUnprotect() != _plainLength)
        {
            throw new InvalidOperationException($"{Security}: the unprotected body does not end where it was written.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        (_sender as IDisposable)?.Dispose();
        (_receiver as IDisposable)?.Dispose();
        _clientCertificate?.Dispose();
        _serverCertificate?.Dispose();
    }

    /// <summary>Sender protects a full chunk in place, receiver unprotects it; returns where the body ends.</summary>
    [Benchmark]
    public int ProtectUnprotect()
    {
        _plain.AsSpan().CopyTo(_chunk);
        _sender.Protect(_chunk, _plainLength, HeaderSize, asymmetric: false);
        return _receiver.Unprotect(_chunk, HeaderSize, asymmetric: false);
    }
}

/// <summary>Shows "Aes256_Sha256_RsaPss/SignAndEncrypt" whole in the summary table (the default cuts at 20 characters).</summary>
internal sealed class WideSecurityColumn : ManualConfig
{
    public WideSecurityColumn() => SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(40);
}
