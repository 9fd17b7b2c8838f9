namespace Telemetry.Edge.Mqtt.Broker;

/// <summary>
/// Watches the MQTT framing of what a client sends (MQTT 3.1.1 §2.2 / MQTT 5 §2.1: a header byte, then the
/// remaining length as a 1..4 byte varint, then that many bytes) and fails the read — which makes MQTTnet drop
/// the connection — when the first packet is not CONNECT, a length is malformed, or a packet is larger than the
/// limit. It only counts bytes; MQTTnet still parses everything itself.
/// <code>
///   byte 0       byte 1..4 (7 bits each, high bit = more)     remaining length bytes
///   type|flags   remaining length                              variable header + payload
/// </code>
/// </summary>
internal sealed class MqttPacketLimitStream : Stream
{
    private const byte ConnectHeader = 0x10;
    private readonly Stream _inner;
    private readonly int _maxPacketBytes;
    private State _state = State.Header;
    private bool _first = true;
    private int _lengthBytes;
    private int _multiplier;
    private long _remaining;

    public MqttPacketLimitStream(Stream inner, int maxPacketBytes)
    {
        _inner = inner;
        _maxPacketBytes = maxPacketBytes;
    }

    /// <summary>Why the stream refused the client (null while it is fine).</summary>
    public string? Violation { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Inspect(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        Inspect(buffer.AsSpan(offset, read));
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Inspect(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.Header:
                    if (_first && data[i] != ConnectHeader)
                    {
                        Fail($"the first packet is not CONNECT (header byte 0x{data[i]:x2})");
                    }

                    _first = false;
                    _state = State.Length;
                    _lengthBytes = 0;
                    _multiplier = 1;
                    _remaining = 0;
                    i++;
                    break;
                case State.Length:
                    var b = data[i++];
                    _remaining += (b & 0x7f) * (long)_multiplier;
                    _multiplier *= 128;
                    if (++_lengthBytes > 4)
                    {
                        Fail("malformed remaining length");
                    }

                    if ((b & 0x80) != 0)
                    {
                        break;
                    }

                    if (1 + _lengthBytes + _remaining > _maxPacketBytes)
                    {
                        Fail($"a packet of {1 + _lengthBytes + _remaining} bytes is over the limit of {_maxPacketBytes}");
                    }

                    _state = _remaining == 0 ? State.Header : State.Body;
                    break;
                default:
                    var skip = (int)Math.Min(_remaining, data.Length - i);
                    i += skip;
                    _remaining -= skip;
                    if (_remaining == 0)
                    {
                        _state = State.Header;
                    }

                    break;
            }
        }
    }

    private void Fail(string why)
    {
        Violation = why;
        throw new IOException($"MQTT client refused: {why}.");
    }

    private enum State : byte
    {
        Header,
        Length,
        Body,
    }
}
