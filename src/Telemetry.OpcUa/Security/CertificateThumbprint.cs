using System.Security.Cryptography;

namespace Telemetry.OpcUa.Security;

/// <summary>The SHA-1 thumbprint OPC UA names certificates by (OPC 10000-6 §6.7.2.3 ReceiverCertificateThumbprint, trust lists).</summary>
public static class CertificateThumbprint
{
    public static byte[] Compute(ReadOnlySpan<byte> der)
    {
#pragma warning disable CA5350 // the protocol defines the thumbprint as SHA-1: an identifier, not a security check
        return SHA1.HashData(der);
#pragma warning restore CA5350
    }

    /// <summary>Upper-case hex, as printed in messages and file names.</summary>
    public static string ToHex(ReadOnlySpan<byte> der) => Convert.ToHexString(Compute(der));
}
