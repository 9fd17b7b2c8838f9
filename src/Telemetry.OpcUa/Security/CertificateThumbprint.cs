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

    /// <summary>
    /// The first certificate of a DER chain (OPC 10000-6 §6.2.3: a certificate field may carry the leaf followed by
    /// its issuers, back to back): the first SEQUENCE by its length; the input itself when it is not DER.
    /// </summary>
    public static ReadOnlySpan<byte> Leaf(ReadOnlySpan<byte> der)
    {
        if (der.Length < 4 || der[0] != 0x30)
        {
            return der;
        }

        int length;
        int header;
        if ((der[1] & 0x80) == 0)
        {
            length = der[1];
            header = 2;
        }
        else
        {
            var bytes = der[1] & 0x7F;
            if (bytes is 0 or > 3 || 2 + bytes > der.Length)
            {
                return der;
            }

            length = 0;
            for (var i = 0; i < bytes; i++)
            {
                length = (length << 8) | der[2 + i];
            }

            header = 2 + bytes;
        }

        return header + length <= der.Length ? der[..(header + length)] : der;
    }
}
