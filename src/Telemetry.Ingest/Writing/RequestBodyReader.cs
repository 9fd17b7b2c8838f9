using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Telemetry.Core.Buffers;
using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Writing;

/// <summary>Why a body could not be read; each maps to one HTTP status.</summary>
public enum BodyReadStatus : byte
{
    Ok,

    /// <summary>413: the body, or what it inflates to, is over the limit.</summary>
    TooLarge,

    /// <summary>400: the gzip stream is corrupt or truncated.</summary>
    BadGzip,

    /// <summary>415: a Content-Encoding other than gzip or identity.</summary>
    UnsupportedEncoding,
}

/// <summary>
/// Reads a write request's body into pooled buffers within <see cref="WriteLimits"/>, inflating gzip. The body as
/// sent is bounded by <see cref="WriteLimits.MaxBodyBytes"/> (checked against Content-Length first, then while
/// reading a chunked body), the inflated text by <see cref="WriteLimits.MaxDecompressedBytes"/>: a gzip bomb stops at
/// the limit, it never fills memory. A truncated gzip body is refused: the stream must end with its trailer (whose
/// CRC-32 the inflater checks) and the trailer's length must match what was inflated.
/// </summary>
public static class RequestBodyReader
{
    /// <summary>Bytes read at a time; buffers are sized for the limit plus one chunk.</summary>
    public const int ReadChunk = 64 * 1024;

    public static async ValueTask<(BodyReadStatus Status, string? Error)> ReadAsync(
        HttpRequest request,
        WriteLimits limits,
        PooledByteBuffer raw,
        PooledByteBuffer inflated,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(inflated);
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return (BodyReadStatus.UnsupportedEncoding, $"Content-Encoding '{encoding}' is not supported; send gzip or plain text");
        }

        if (request.ContentLength > limits.MaxBodyBytes)
        {
            return (BodyReadStatus.TooLarge, $"the body of {request.ContentLength} bytes is over the limit of {limits.MaxBodyBytes} bytes; send smaller batches");
        }

        var target = gzip ? raw : inflated;
        while (true)
        {
            var memory = target.GetMemory(ReadChunk);
            var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            target.Advance(read);
            if (target.Length > limits.MaxBodyBytes)
            {
                return (BodyReadStatus.TooLarge, $"the body is over the limit of {limits.MaxBodyBytes} bytes; send smaller batches");
            }
        }

        return gzip ? Inflate(raw, inflated, limits.MaxDecompressedBytes) : (BodyReadStatus.Ok, null);
    }

    private static (BodyReadStatus, string?) Inflate(PooledByteBuffer raw, PooledByteBuffer inflated, long maxInflated)
    {
        var segment = raw.WrittenSegment;
        try
        {
            using var source = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            while (true)
            {
                var span = inflated.GetSpan(ReadChunk);
                var read = gzip.Read(span);
                if (read == 0)
                {
                    break;
                }

                inflated.Advance(read);
                if (inflated.Length > maxInflated)
                {
                    return (BodyReadStatus.TooLarge, $"the gzip body inflates to more than {maxInflated} bytes; send smaller batches");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            return (BodyReadStatus.BadGzip, $"the gzip body is corrupt: {ex.Message}");
        }

        // The gzip trailer (RFC 1952 §2.3.1) ends with ISIZE, the inflated length mod 2^32. A body cut short has no
        // trailer, and the inflater may then simply stop early instead of failing.
        var bytes = segment.AsSpan();
        if (bytes.Length < 18 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]) != (uint)inflated.Length)
        {
            return (BodyReadStatus.BadGzip, "the gzip body is truncated (its trailer is missing or does not match the inflated length)");
        }

        return (BodyReadStatus.Ok, null);
    }
}
