using System.Buffers;
using System.IO.Compression;
using Telemetry.Core;
using Telemetry.LineProtocol;

namespace Telemetry.Edge.Forwarding;

/// <summary>
/// One in-flight slot of the forwarder: the samples read from the spool, their line protocol and its gzip form.
/// Slots are reused, so steady-state forwarding allocates no buffers.
/// </summary>
internal sealed class EncodedBatch : IDisposable
{
    private readonly ArrayBufferWriter<byte> _text = new(256 * 1024);
    private readonly MemoryStream _compressed = new(64 * 1024);
    private readonly LineProtocolWriter _writer;
    private readonly SampleLineEncoder _encoder;

    public EncodedBatch(string measurement)
    {
        _writer = new LineProtocolWriter(_text);
        _encoder = new SampleLineEncoder(measurement);
    }

    public SampleBatch Samples { get; } = new(8192);

    public SpoolRange Range { get; set; }

    /// <summary>Encodes samples [start, start+count) and returns the body to send (gzip when asked).</summary>
    public ReadOnlyMemory<byte> Encode(int start, int count, bool gzip)
    {
        _text.ResetWrittenCount();
        _writer.Reset(_text);
        _encoder.Write(_writer, Samples.Samples.Slice(start, count));
        if (!gzip)
        {
            return _text.WrittenMemory;
        }

        _compressed.SetLength(0);
        using (var zip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(_text.WrittenSpan);
        }

        return new ReadOnlyMemory<byte>(_compressed.GetBuffer(), 0, (int)_compressed.Length);
    }

    /// <summary>The line protocol text of the last <see cref="Encode"/> (for quarantine files).</summary>
    public ReadOnlySpan<byte> Text => _text.WrittenSpan;

    public void Clear()
    {
        Samples.Clear();
        Range = default;
    }

    public void Dispose()
    {
        Samples.Dispose();
        _compressed.Dispose();
    }
}
