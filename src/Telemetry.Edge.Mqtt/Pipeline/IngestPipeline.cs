using System.Buffers;
using Microsoft.Extensions.Logging;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Diagnostics;
using Telemetry.Edge.Mqtt.Mapping;

namespace Telemetry.Edge.Mqtt.Pipeline;

/// <summary>
/// Between MQTT and the spool: receive handlers map each message into the pending batch (under one lock, in
/// arrival order) and register its acknowledgement; one writer loop swaps the batch out, writes it to the sink
/// (durable when the call returns) and only then completes the acknowledgements, in order. A full pending batch
/// makes <see cref="AcceptAsync"/> wait, which stops the MQTT receive loop and pushes back to the broker.
/// </summary>
internal sealed class IngestPipeline : IDisposable
{
    private const int MaxPendingAcks = 65_536;
    private readonly MessageMapper _mapper;
    private readonly MqttMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly int _maxBatchSamples;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _work = new(0, 1);
    private SampleBatch _pending;
    private SampleBatch _spare;
    private List<PendingAck> _pendingAcks = [];
    private List<PendingAck> _spareAcks = [];
    private TaskCompletionSource _flushed = NewFlushed();
    private bool _signalled;

    public IngestPipeline(string name, MessageMapper mapper, MqttMetrics metrics, ILogger logger, int maxBatchSamples, TimeProvider time)
    {
        _name = name;
        _mapper = mapper;
        _metrics = metrics;
        _logger = logger;
        _maxBatchSamples = maxBatchSamples;
        _time = time;
        _pending = new SampleBatch(Math.Min(maxBatchSamples, 4096));
        _spare = new SampleBatch(Math.Min(maxBatchSamples, 4096));
    }

    /// <summary>Runs after each flush (e.g. to publish Sparkplug rebirth requests); failures are the callee's to log.</summary>
    public Func<CancellationToken, ValueTask>? AfterFlush { get; set; }

    public MessageMapper Mapper => _mapper;

    /// <summary>
    /// Maps one message and queues its acknowledgement (null for QoS 0). Returns at once unless the pending
    /// batch is full, then after the writer took it.
    /// </summary>
    public ValueTask AcceptAsync(string topic, in ReadOnlySequence<byte> payload, PendingAck? ack, CancellationToken cancellationToken)
    {
        var receiveTime = UnixTime.Now(_time);
        Task? wait = null;
        lock (_lock)
        {
            var before = _pending.Count;
            var reason = _mapper.Map(topic, payload, receiveTime, _pending);
            if (reason == MqttRejectReason.None)
            {
                _metrics.Received(_pending.Count - before, receiveTime);
            }
            else
            {
                _metrics.Rejected(topic, reason);
            }

            if (ack is not null)
            {
                _pendingAcks.Add(ack);
                _metrics.InFlight(1);
            }

            if (_pending.Count >= _maxBatchSamples || _pendingAcks.Count >= MaxPendingAcks)
            {
                wait = _flushed.Task;
            }

            if ((_pending.Count > 0 || _pendingAcks.Count > 0) && !_signalled)
            {
                _signalled = true;
                _work.Release();
            }
        }

        return wait is null ? ValueTask.CompletedTask : new ValueTask(wait.WaitAsync(cancellationToken));
    }

    /// <summary>The writer loop: runs until cancelled. Sink failures are retried (the messages stay unacknowledged).</summary>
    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _work.WaitAsync(cancellationToken).ConfigureAwait(false);
            SampleBatch batch;
            List<PendingAck> acks;
            TaskCompletionSource flushed;
            lock (_lock)
            {
                batch = _pending;
                acks = _pendingAcks;
                _pending = _spare;
                _pendingAcks = _spareAcks;
                flushed = _flushed;
                _flushed = NewFlushed();
                _signalled = false;
            }

            // Wake writers that waited for room: the pending batch is empty again.
            flushed.TrySetResult();
            if (batch.Count > 0)
            {
                await WriteDurablyAsync(sink, batch, cancellationToken).ConfigureAwait(false);
            }

            foreach (var ack in acks)
            {
                await ack.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            _metrics.Acknowledged(acks.Count);
            _metrics.InFlight(-acks.Count);
            batch.Clear();
            acks.Clear();
            _spare = batch;
            _spareAcks = acks;
            if (AfterFlush is { } after)
            {
                await after(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Takes the Sparkplug rebirth requests the decoder queued (under the mapping lock).</summary>
    public void TakeRebirthRequests(List<Sparkplug.RebirthRequest> into)
    {
        if (_mapper.Sparkplug is not { } sparkplug)
        {
            return;
        }

        lock (_lock)
        {
            while (sparkplug.TryTakeRebirth(out var request))
            {
                into.Add(request);
            }
        }
    }

    public void Dispose()
    {
        _pending.Dispose();
        _spare.Dispose();
        _mapper.Dispose();
        _work.Dispose();
    }

    private async Task WriteDurablyAsync(ISampleSink sink, SampleBatch batch, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.SinkFailed(_logger, ex, _name, batch.Count);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private static TaskCompletionSource NewFlushed() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
