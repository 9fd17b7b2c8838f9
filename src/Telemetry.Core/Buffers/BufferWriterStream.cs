using System.Buffers;

namespace Telemetry.Core.Buffers;

/// <summary>A write-only <see cref="Stream"/> over an <see cref="IBufferWriter{T}"/> (for GZipStream and friends).</summary>
public sealed class BufferWriterStream(IBufferWriter<byte> writer) : Stream
{
    private readonly IBufferWriter<byte> _writer = writer ?? throw new ArgumentNullException(nameof(writer));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer) => _writer.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => _writer.Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => _writer.Write([value]);

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
