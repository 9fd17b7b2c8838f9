using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.OpcUa.Tests.Security;

/// <summary>The simulated PLC with secured endpoints, and helpers for a client PKI folder of the test's own.</summary>
internal static class SecurePlc
{
    public const string AllPolicies = "None,Basic256Sha256,Aes128_Sha256_RsaOaep,Aes256_Sha256_RsaPss";

    public static ExpandedNodeId Counter { get; } = new(new NodeId("Counter", 0), "urn:telemetry:plc");

    /// <summary>Endpoints for every policy x Sign/SignAndEncrypt (None too: discovery, and the None test cases).</summary>
    public static Task<OpcUaPlcPeer> StartAsync(CancellationToken cancellationToken, params string[] extra) =>
        OpcUaPlcPeer.StartAsync(
            new OpcUaPlcOptions
            {
                ExtraArguments = ["--security-policies", AllPolicies, "--security-modes", "None,Sign,SignAndEncrypt", .. extra],
            },
            cancellationToken);

    public static UaClientOptions Options(OpcUaPlcPeer plc, TempDirectory pki, MessageSecurityMode mode, string? policy = null) => new()
    {
        EndpointUrl = plc.EndpointUrl,
        SecurityMode = mode,
        SecurityPolicyUri = policy,
        PkiPath = pki.Path,
        CertificateHostNames = ["localhost"],
    };

    /// <summary>The operator's workflow: the first connect is refused and saves the certificate in rejected/; trust it.</summary>
    public static async Task<string> TrustServerAsync(UaClientOptions options, CancellationToken cancellationToken)
    {
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(options, cancellationToken));
        Assert.Equal(StatusCodes.BadCertificateUntrusted, ex.StatusCode.Code);
        var pki = new PkiStore(options.PkiPath!);
        var rejected = Assert.Single(pki.List(CertificateStoreKind.Rejected));
        pki.Trust(rejected.Thumbprint);
        return rejected.Thumbprint;
    }
}
