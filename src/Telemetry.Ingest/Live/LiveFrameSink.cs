using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text.Json;

namespace Telemetry.Ingest.Live;

/// <summary>Where a live stream's frames go: server-sent events or WebSocket text frames, the same JSON in both.</summary>
internal abstract class LiveFrameSink : IDisposable
{
    protected Utf8JsonWriter Writer { get; } = new(Stream.Null);

    public void Dispose() => Writer.Dispose();

    /// <summary>A writer for one samples frame (a JSON array follows); finish with <see cref="EndSamplesAsync"/>.</summary>
    public abstract Utf8JsonWriter BeginSamples();

    public abstract ValueTask EndSamplesAsync(CancellationToken cancellationToken);

    public abstract ValueTask WriteDroppedAsync(long count, CancellationToken cancellationToken);

    public abstract ValueTask WriteHeartbeatAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Server-sent events, as the edge sends them: `event: samples` + `data: [...]`, `event: dropped` + `data: N`,
/// and `: heartbeat` comments.
/// </summary>
internal sealed class SseFrameSink(PipeWriter body) : LiveFrameSink
{
    public override Utf8JsonWriter BeginSamples()
    {
        body.Write("event: samples\ndata: "u8);
        Writer.Reset(body);
        return Writer;
    }

    public override async ValueTask EndSamplesAsync(CancellationToken cancellationToken)
    {
        Writer.Flush();
        body.Write("\n\n"u8);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteDroppedAsync(long count, CancellationToken cancellationToken)
    {
        body.Write("event: dropped\ndata: "u8);
        var span = body.GetSpan(20);
        count.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        body.Advance(written);
        body.Write("\n\n"u8);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteHeartbeatAsync(CancellationToken cancellationToken)
    {
        body.Write(": heartbeat\n\n"u8);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// WebSocket text frames: a samples frame is the same JSON array as the SSE `samples` data; a drop notice is
/// `{"dropped":N}`. Heartbeats are WebSocket pings (the accept's keep-alive), not frames.
/// </summary>
internal sealed class WebSocketFrameSink(WebSocket socket) : LiveFrameSink
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);

    public override Utf8JsonWriter BeginSamples()
    {
        _buffer.ResetWrittenCount();
        Writer.Reset(_buffer);
        return Writer;
    }

    public override async ValueTask EndSamplesAsync(CancellationToken cancellationToken)
    {
        Writer.Flush();
        await socket.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteDroppedAsync(long count, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        Writer.Reset(_buffer);
        Writer.WriteStartObject();
        Writer.WriteNumber("dropped", count);
        Writer.WriteEndObject();
        Writer.Flush();
        await socket.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask WriteHeartbeatAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
