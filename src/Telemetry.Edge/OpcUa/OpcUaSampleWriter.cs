using System.Threading.Channels;
using Telemetry.Core;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// Receives data changes on the session's publish loop (which must not wait) and writes them to the sink in
/// batches from its own loop: up to <see cref="OpcUaSourceOptions.MaxBatchSamples"/> per write, one reusable
/// <see cref="SampleBatch"/>, no allocation per value in steady state. The queue is bounded by
/// <see cref="OpcUaSourceOptions.WriterQueueCapacity"/>: when that many samples wait, the session sends no new Publish
/// request until the writer has made room (<see cref="WaitForCapacityAsync"/>), so the PLC keeps the values in its own
/// queues; nothing is dropped here. The values of Publish responses already on the way are still taken, so the queue
/// holds at most the capacity plus those responses. Each time the queue is found full is counted (<see cref="QueueFullCount"/>).
/// A NotificationMessage is acknowledged to the PLC only once the sink has made all its samples durable (the spool's
/// WriteAsync completes after the fsync): until then the PLC keeps it for Republish. Samples are counted in
/// (<see cref="_queued"/>, publish loop) and out (<see cref="_durable"/>, writer loop); a message's receipt waits in
/// <see cref="_pendingAcks"/> until the durable count reaches the queued count it was handed over at.
/// </summary>
internal sealed class OpcUaSampleWriter : IDataChangeHandler
{
    private readonly Channel<Sample> _queue = Channel.CreateUnbounded<Sample>(new UnboundedChannelOptions { SingleReader = true });
    private readonly OpcUaSourceOptions _options;
    private readonly Action<int, long> _written;
    private readonly List<Sample> _leaves = [];
    private readonly Queue<(NotificationAck Ack, long Watermark)> _pendingAcks = new();
    private readonly Lock _ackLock = new();
    private long _queued;
    private long _taken;
    private long _durable;
    private long _overflows;
    private long _queueFull;
    private TaskCompletionSource? _room;

    public OpcUaSampleWriter(OpcUaSourceOptions options, Action<int, long> written)
    {
        _options = options;
        _written = written;
    }

    /// <summary>InfoType DataValue (0x400) with the Overflow bit (0x80), OPC 10000-4 §7.39: the server's queue for the
    /// monitored item was full and it discarded values before this one.</summary>
    internal const uint OverflowInfoBits = 0x480;

    /// <summary>Values that came with the Overflow bit: each follows at least one value the PLC discarded.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Decodes the PLC's structured values into one sample per field (see <see cref="OpcUaStructureFlattener"/>).</summary>
    public OpcUaStructureFlattener Structures { get; } = new();

    public void OnDataChange(MonitoredItem item, in DataValue value)
    {
        if (item.Tag is not AssetPath path)
        {
            return;
        }

        if ((value.StatusCode.Code & OverflowInfoBits) == OverflowInfoBits)
        {
            Interlocked.Increment(ref _overflows);
        }

        var now = UnixTime.Now(_options.TimeProvider);
        if (Structures.TryFlatten(path, in value, now, _leaves))
        {
            foreach (var leaf in _leaves)
            {
                Enqueue(leaf);
            }

            _leaves.Clear();
            return;
        }

        Enqueue(OpcUaValueConverter.ToSample(path, in value, now));
    }

    /// <summary>Samples queued and not yet taken by the writer loop.</summary>
    public long QueuedSamples => Interlocked.Read(ref _queued) - Interlocked.Read(ref _taken);

    /// <summary>Times the publish loop found the queue full and held back its next Publish request.</summary>
    public long QueueFullCount => Interlocked.Read(ref _queueFull);

    /// <summary>
    /// Completes at once while fewer than <see cref="OpcUaSourceOptions.WriterQueueCapacity"/> samples wait; else
    /// counts a full queue and completes when the writer loop has taken enough to go below the capacity again.
    /// </summary>
    public ValueTask WaitForCapacityAsync(CancellationToken cancellationToken)
    {
        if (QueuedSamples < _options.WriterQueueCapacity)
        {
            return ValueTask.CompletedTask;
        }

        return WaitForRoomAsync(cancellationToken);
    }

    private async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _queueFull);
        while (QueuedSamples >= _options.WriterQueueCapacity)
        {
            var room = Volatile.Read(ref _room);
            if (room is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = Interlocked.CompareExchange(ref _room, created, null) ?? created;
            }

            if (QueuedSamples < _options.WriterQueueCapacity)
            {
                return; // the writer took some in between (it may have missed the new waiter)
            }

            await room.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void SignalRoom()
    {
        if (Volatile.Read(ref _room) is not null && QueuedSamples < _options.WriterQueueCapacity)
        {
            Interlocked.Exchange(ref _room, null)?.TrySetResult();
        }
    }

    /// <summary>Samples acknowledged as durable by the sink so far.</summary>
    public long DurableSamples => Interlocked.Read(ref _durable);

    /// <summary>Message receipts waiting for their samples to become durable.</summary>
    public int PendingAcknowledgements
    {
        get
        {
            lock (_ackLock)
            {
                return _pendingAcks.Count;
            }
        }
    }

    public bool OnNotificationMessage(NotificationAck ack)
    {
        var watermark = Interlocked.Read(ref _queued);
        if (watermark <= Interlocked.Read(ref _durable))
        {
            return true; // nothing of it (or before it) still in flight
        }

        lock (_ackLock)
        {
            _pendingAcks.Enqueue((ack, watermark));
        }

        ReleaseDurable(); // the writer may have made it durable in between
        return false;
    }

    private void Enqueue(in Sample sample)
    {
        if (_queue.Writer.TryWrite(sample))
        {
            Interlocked.Increment(ref _queued);
        }
    }

    /// <summary>Called on the writer loop after it acknowledged messages (the source saves the acknowledged sequence numbers).</summary>
    public Action? Acknowledged { get; set; }

    /// <summary>Acknowledges, in order, every message whose samples are all durable now; true when it acknowledged any.</summary>
    private bool ReleaseDurable()
    {
        var released = false;
        lock (_ackLock)
        {
            var durable = Interlocked.Read(ref _durable);
            while (_pendingAcks.TryPeek(out var pending) && pending.Watermark <= durable)
            {
                _pendingAcks.Dequeue();
                pending.Ack.Acknowledge();
                released = true;
            }
        }

        return released;
    }

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        using var batch = new SampleBatch(Math.Min(_options.MaxBatchSamples, 1024));
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (batch.Count < _options.MaxBatchSamples && reader.TryRead(out var sample))
            {
                batch.Add(in sample);
            }

            Interlocked.Add(ref _taken, batch.Count);
            SignalRoom();

            if (batch.Count == 0)
            {
                continue;
            }

            await sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _durable, batch.Count);
            if (ReleaseDurable())
            {
                Acknowledged?.Invoke();
            }

            _written(batch.Count, batch[batch.Count - 1].ReceiveTimeNs);
            batch.Clear();
        }
    }
}
