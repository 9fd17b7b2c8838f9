using System.Threading.Channels;
using Telemetry.Core;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// Receives data changes on the session's publish loop (which must not wait) and writes them to the sink in
/// batches from its own loop: up to <see cref="OpcUaSourceOptions.MaxBatchSamples"/> per write, one reusable
/// <see cref="SampleBatch"/>, no allocation per value in steady state. A slow sink makes the queue grow, never the
/// publish loop stall (the spool is far faster than any PLC).
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
    private long _durable;
    private long _overflows;

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

    /// <summary>Acknowledges, in order, every message whose samples are all durable now.</summary>
    private void ReleaseDurable()
    {
        lock (_ackLock)
        {
            var durable = Interlocked.Read(ref _durable);
            while (_pendingAcks.TryPeek(out var pending) && pending.Watermark <= durable)
            {
                _pendingAcks.Dequeue();
                pending.Ack.Acknowledge();
            }
        }
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

            if (batch.Count == 0)
            {
                continue;
            }

            await sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _durable, batch.Count);
            ReleaseDurable();
            _written(batch.Count, batch[batch.Count - 1].ReceiveTimeNs);
            batch.Clear();
        }
    }
}
