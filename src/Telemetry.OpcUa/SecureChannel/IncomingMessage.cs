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
    private readonly Action<IncomingMessage?, Exception?>? _callback;
    private byte[]? _buffer;
    private int _length;
    private int _done;

    public PendingRequest(uint requestId, IServiceRequest? request, Action<IncomingMessage?, Exception?>? callback = null)
    {
        RequestId = requestId;
        Request = request;
        _callback = callback;
    }

    /// <summary>The timeout timer of a callback request (disposed when it completes).</summary>
    public ITimer? Timer { get; set; }

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

    /// <summary>The last chunk arrived: hands the message to the callback (synchronously, in receive order) or the awaiting task.</summary>
    public void Complete()
    {
        var buffer = _buffer ?? ArrayPool<byte>.Shared.Rent(1);
        _buffer = null;
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        Timer?.Dispose();
        var message = new IncomingMessage(buffer, _length);
        if (_callback is not null)
        {
            _callback(message, null);
        }
        else if (!_completion.TrySetResult(message))
        {
            message.Dispose();
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

        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return;
        }

        Timer?.Dispose();
        if (_callback is not null)
        {
            _callback(null, cause);
        }
        else
        {
            _completion.TrySetException(cause);
        }
    }
}
