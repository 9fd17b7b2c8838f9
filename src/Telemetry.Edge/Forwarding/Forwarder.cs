using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telemetry.Core;
using Telemetry.Storage;

namespace Telemetry.Edge.Forwarding;

/// <summary>
/// Reads the spool, encodes batches as line protocol (gzip), POSTs them to the datacenter with several requests in
/// flight, and acknowledges each batch's spool range only after a 2xx (ranges may complete out of order; the spool
/// keeps the contiguous cursor). A refused batch (400) is quarantined with the server's message and acknowledged; a
/// batch too large for the server (413) is split. Everything else is retried by <see cref="DeliveryPolicy"/> until it
/// is delivered, so an outage of hours loses nothing.
/// </summary>
/// <remarks>
/// Lanes (live first after an outage, <see cref="BacklogOptions"/>): normally one lane reads the spool's main reader
/// in order. When a batch read is older than <see cref="BacklogOptions.Lag"/>, the forwarder splits: a live reader
/// opens at the durable head H and takes fresh samples first; the main reader becomes the backlog lane, drains
/// [cursor, H) on the in-flight slots live data leaves (one slot is always kept for live) and at most at the caps.
/// Should the live lane itself fall behind (another outage), a new live reader opens at the new head and what the old
/// one had not read is left to the main reader. Once the backlog is read, the live lane pauses until all requests
/// are answered, then the main reader goes on past H: it skips what the live lane acknowledged, sends what was left
/// (splitting again if that is behind), and is the one lane again. The main reader thus stays the oldest, so the spool's
/// oldest-unacknowledged age and its corruption accounting stay right. Both lanes share the retry policy and its
/// circuit breaker. A restart forgets acknowledgements above the persisted cursor: those records are sent again
/// (writes are idempotent), nothing unacknowledged is lost.
/// </remarks>
public sealed partial class Forwarder : BackgroundService
{
    private readonly Spool _spool;
    private readonly DatacenterOptions _options;
    private readonly DatacenterClient _client;
    private readonly DeliveryPolicy _policy;
    private readonly Quarantine? _quarantine;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<Forwarder> _logger;
    private readonly BacklogPacer _pacer;
    private readonly List<Task> _inFlight = [];
    private Channel<EncodedBatch> _free = Channel.CreateBounded<EncodedBatch>(1);

    public Forwarder(Spool spool, DatacenterOptions options, ILogger<Forwarder> logger, TimeProvider? timeProvider = null, HttpMessageHandler? handler = null)
    {
        _spool = spool ?? throw new ArgumentNullException(nameof(spool));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _client = new DatacenterClient(options, handler);
        Status = new ForwarderStatus(_timeProvider);
        Status.SetBacklog(options.Backlog.LiveFirst ? BacklogLaneState.Inactive : BacklogLaneState.Disabled, 0);
        _policy = new DeliveryPolicy(options, Status, logger, _timeProvider);
        _pacer = new BacklogPacer(options.Backlog, _timeProvider);
        _quarantine = options.QuarantineDirectory is null ? null : new Quarantine(options.QuarantineDirectory, _timeProvider);
    }

    public ForwarderStatus Status { get; }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Free slots double as the in-flight limit: reading the next batch waits for a slot.
        _free = Channel.CreateBounded<EncodedBatch>(_options.MaxInFlight);
        var slots = new List<EncodedBatch>();
        for (var i = 0; i < _options.MaxInFlight; i++)
        {
            var slot = new EncodedBatch(Telemetry.LineProtocol.SampleLineEncoder.DefaultMeasurement);
            slots.Add(slot);
            _free.Writer.TryWrite(slot);
        }

        using var reader = OpenMainReader();
        _main = reader;
        LogStarted(_client.WriteUri, _options.EdgeId, reader.NextSequence);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_live is null)
                {
                    await ForwardOneLaneAsync(reader, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await ForwardTwoLanesAsync(stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (SpoolException ex) when (stoppingToken.IsCancellationRequested || ex.Error == SpoolError.Closed)
        {
        }
        finally
        {
            await Task.WhenAll(_inFlight).ConfigureAwait(false);
            CloseLanes();
            foreach (var slot in slots)
            {
                slot.Dispose();
            }
        }
    }

    /// <summary>One lane: the main reader in spool order; splits off the backlog when a batch is older than the lag.</summary>
    private async Task ForwardOneLaneAsync(SpoolReader reader, CancellationToken cancellationToken)
    {
        var slot = await _free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        slot.Clear();
        SpoolReadResult read;
        try
        {
            read = await reader.ReadAsync(slot.Samples, _options.MaxBatchSamples, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _free.Writer.TryWrite(slot);
            throw;
        }

        slot.Range = new SpoolRange(read.FirstSequence, read.LastSequence);
        if (_options.Backlog.LiveFirst && IsBehind(slot))
        {
            SplitOffBacklog(read);
            Dispatch(slot, Lane.Backlog, cancellationToken);
            return;
        }

        Dispatch(slot, Lane.Live, cancellationToken);
    }

    /// <summary>
    /// The spool's main reader, at its acknowledged cursor. The spool hands that out once per opening, so a forwarder
    /// started again on the same spool (the datacenter settings were reloaded) reads from an additional reader at the
    /// cursor instead; the spool's read and corruption counters then stay with the first one.
    /// </summary>
    private SpoolReader OpenMainReader()
    {
        try
        {
            return _spool.OpenReader();
        }
        catch (InvalidOperationException)
        {
            LogSecondForwarder(_spool.AcknowledgedBelow);
            return _spool.OpenReaderAt(_spool.AcknowledgedBelow);
        }
    }

    /// <summary>True when the oldest sample of the batch was received longer than the lag ago.</summary>
    private bool IsBehind(EncodedBatch slot) =>
        slot.Samples.Count > 0 &&
        UnixTime.Now(_timeProvider) - slot.Samples[0].ReceiveTimeNs > _options.Backlog.Lag.Ticks * 100;

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Forwarding to {Uri} as edge {EdgeId}, from spool record {Sequence}")]
    private partial void LogStarted(Uri uri, string edgeId, long sequence);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Information, Message = "The spool's main reader belongs to an earlier forwarder (settings reloaded): reading from record {Sequence} with an additional reader")]
    private partial void LogSecondForwarder(long sequence);
}
