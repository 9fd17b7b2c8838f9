using System.Buffers;

namespace Telemetry.OpcUa.SecureChannel;

/// <summary>A reassembled response body (encoding id + fields) in a pooled array; dispose returns it.</summary>
public sealed class IncomingMessage : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal IncomingMessage(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlySpan<byte> Span => _buffer is null ? throw new ObjectDisposedException(nameof(IncomingMessage)) : _buffer.AsSpan(0, _length);

    public int Length => _length;

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>A request waiting for its response: the chunks collected so far and the task the caller awaits.</summary>
internal sealed class PendingRequest
{
    private readonly TaskCompletionSource<IncomingMessage> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _buffer;
    private int _length;

    public PendingRequest(uint requestId, IServiceRequest? request)
    {
        RequestId = requestId;
        Request = request;
    }

    public uint RequestId { get; }

    public IServiceRequest? Request { get; }

    public int ChunkCount { get; private set; }

    public int Length => _length;

    public Task<IncomingMessage> Task => _completion.Task;

    public void Append(ReadOnlySpan<byte> body)
    {
        ChunkCount++;
        if (_buffer is null || _length + body.Length > _buffer.Length)
        {
            var next = ArrayPool<byte>.Shared.Rent(Math.Max(_length + body.Length, (_buffer?.Length ?? 0) * 2));
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _length).CopyTo(next);
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = next;
        }

        body.CopyTo(_buffer.AsSpan(_length));
        _length += body.Length;
    }

    public void Complete()
    {
        var buffer = _buffer ?? ArrayPool<byte>.Shared.Rent(1);
        _buffer = null;
        if (!_completion.TrySetResult(new IncomingMessage(buffer, _length)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Fail(Exception cause)
    {
        var buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _completion.TrySetException(cause);
    }
}
