using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Telemetry.OpcUa.Security;

namespace Telemetry.Benchmarks.OpcUa;

/// <summary>
/// What channel security costs the client per value received: one PublishResponse of 1,000 DataValues (~28 KB, the
/// shape of <see cref="PublishDecodeBenchmarks"/>) in 8 KiB MSG chunks protected by a server-side
/// <see cref="UaChannelSecurity"/>, then the client's unprotect + reassemble + decode to edge samples
/// (<see cref="SecureReceivePath"/>). Figures are per value (OperationsPerInvoke = values per response); values/s of a
/// setting = 1e9 / mean, and issue 6 asks for SignAndEncrypt ≥ 70 % of None. For the ratio on a busy machine use the
/// interleaved runner instead: dotnet run -c Release --project bench/Telemetry.Benchmarks -- opcua-security-ratio
/// Run: dotnet run -c Release --project bench/Telemetry.Benchmarks -- --filter '*SecureReceiveBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(WideSecurityColumn))]
public class SecureReceiveBenchmarks
{
    private X509Certificate2? _clientCertificate;
    private X509Certificate2? _serverCertificate;
    private SecureReceivePath? _path;

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
        _clientCertificate = ApplicationCertificateFactory.Create("urn:bench:client", "Bench client", ["localhost"]);
        _serverCertificate = ApplicationCertificateFactory.Create("urn:bench:server", "Bench server", ["127.0.0.1"]);
        _path = new SecureReceivePath(Security, _clientCertificate, _serverCertificate);
        Console.WriteLine($"// {Security}: {_path.Response.Length} B response in {_path.ChunkCount} chunks, {_path.WireBytes} B on the wire");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _path?.Dispose();
        _clientCertificate?.Dispose();
        _serverCertificate?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = SecureReceivePath.Values)]
    public int ReceivePublish() => _path!.Receive();
}
