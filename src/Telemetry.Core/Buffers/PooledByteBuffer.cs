using System.Buffers;

namespace Telemetry.Core.Buffers;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over an <see cref="ArrayPool{T}"/> array, reused across requests or
/// records: <see cref="Reset"/> keeps the array. It never shrinks below what it grew to until disposed, and
/// refuses to grow past <see cref="MaxLength"/> (so a hostile input cannot make it take all memory).
/// </summary>
public sealed class PooledByteBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private bool _disposed;

    public PooledByteBuffer(int initialCapacity = 64 * 1024, int maxLength = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        MaxLength = maxLength;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(initialCapacity, maxLength));
    }

    public int Length { get; private set; }

    public int MaxLength { get; }

    public int Capacity => _buffer.Length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    /// <summary>The written bytes as an array segment (for APIs that take arrays, e.g. a read-only MemoryStream).</summary>
    public ArraySegment<byte> WrittenSegment => new(_buffer, 0, Length);

    public void Reset() => Length = 0;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - Length);
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Length);
    }

    /// <summary>True when <paramref name="more"/> bytes still fit below <see cref="MaxLength"/>.</summary>
    public bool CanGrowBy(long more) => Length + more <= MaxLength;

    public void Dispose()
    {
        _disposed = true;
        var buffer = _buffer;
        _buffer = [];
        Length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var need = (long)Length + Math.Max(sizeHint, 1);
        if (need <= _buffer.Length)
        {
            return;
        }

        if (need > MaxLength)
        {
            throw new InvalidOperationException($"The buffer would grow past its limit of {MaxLength} bytes.");
        }

        var size = (int)Math.Min(MaxLength, Math.Max(need, (long)_buffer.Length * 2));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
