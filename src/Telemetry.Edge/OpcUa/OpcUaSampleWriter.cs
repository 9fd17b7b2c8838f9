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
/// </summary>
internal sealed class OpcUaSampleWriter : IDataChangeHandler
{
    private readonly Channel<Sample> _queue = Channel.CreateUnbounded<Sample>(new UnboundedChannelOptions { SingleReader = true });
    private readonly OpcUaSourceOptions _options;
    private readonly Action<int, long> _written;
    private readonly List<Sample> _leaves = [];

    public OpcUaSampleWriter(OpcUaSourceOptions options, Action<int, long> written)
    {
        _options = options;
        _written = written;
    }

    /// <summary>Decodes the PLC's structured values into one sample per field (see <see cref="OpcUaStructureFlattener"/>).</summary>
    public OpcUaStructureFlattener Structures { get; } = new();

    public void OnDataChange(MonitoredItem item, in DataValue value)
    {
        if (item.Tag is not AssetPath path)
        {
            return;
        }

        var now = UnixTime.Now(_options.TimeProvider);
        if (Structures.TryFlatten(path, in value, now, _leaves))
        {
            foreach (var leaf in _leaves)
            {
                _queue.Writer.TryWrite(leaf);
            }

            _leaves.Clear();
            return;
        }

        _queue.Writer.TryWrite(OpcUaValueConverter.ToSample(path, in value, now));
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
            _written(batch.Count, batch[batch.Count - 1].ReceiveTimeNs);
            batch.Clear();
        }
    }
}
