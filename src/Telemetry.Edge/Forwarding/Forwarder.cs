using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telemetry.Storage;

namespace Telemetry.Edge.Forwarding;

/// <summary>
/// The spool's only reader: reads batches in order, encodes them as line protocol (gzip), POSTs them to the
/// datacenter with several requests in flight, and acknowledges each batch's spool range only after a 2xx (ranges
/// may complete out of order; the spool keeps the contiguous cursor). A refused batch (400) is quarantined with
/// the server's message and acknowledged; a batch too large for the server (413) is split. Everything else is
/// retried by <see cref="DeliveryPolicy"/> until it is delivered, so an outage of hours loses nothing.
/// </summary>
public sealed partial class Forwarder : BackgroundService
{
    private readonly Spool _spool;
    private readonly DatacenterOptions _options;
    private readonly DatacenterClient _client;
    private readonly DeliveryPolicy _policy;
    private readonly Quarantine? _quarantine;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<Forwarder> _logger;

    public Forwarder(Spool spool, DatacenterOptions options, ILogger<Forwarder> logger, TimeProvider? timeProvider = null, HttpMessageHandler? handler = null)
    {
        _spool = spool ?? throw new ArgumentNullException(nameof(spool));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _client = new DatacenterClient(options, handler);
        _policy = new DeliveryPolicy(options, Status, logger, _timeProvider);
        _quarantine = options.QuarantineDirectory is null ? null : new Quarantine(options.QuarantineDirectory, _timeProvider);
    }

    public ForwarderStatus Status { get; } = new();

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Free slots double as the in-flight limit: reading the next batch waits for a slot.
        var free = Channel.CreateBounded<EncodedBatch>(_options.MaxInFlight);
        var slots = new List<EncodedBatch>();
        for (var i = 0; i < _options.MaxInFlight; i++)
        {
            var slot = new EncodedBatch(Telemetry.LineProtocol.SampleLineEncoder.DefaultMeasurement);
            slots.Add(slot);
            free.Writer.TryWrite(slot);
        }

        var inFlight = new List<Task>();
        using var reader = _spool.OpenReader();
        LogStarted(_client.WriteUri, _options.EdgeId, reader.NextSequence);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var slot = await free.Reader.ReadAsync(stoppingToken).ConfigureAwait(false);
                slot.Clear();
                var read = await reader.ReadAsync(slot.Samples, _options.MaxBatchSamples, stoppingToken).ConfigureAwait(false);
                slot.Range = new SpoolRange(read.FirstSequence, read.LastSequence);
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(ForwardAsync(slot, free.Writer, stoppingToken));
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
            await Task.WhenAll(inFlight).ConfigureAwait(false);
            foreach (var slot in slots)
            {
                slot.Dispose();
            }
        }
    }

    /// <summary>Delivers one slot (never throws: it owns its failures) and gives the slot back.</summary>
    private async Task ForwardAsync(EncodedBatch slot, ChannelWriter<EncodedBatch> free, CancellationToken cancellationToken)
    {
        try
        {
            await DeliverRangeAsync(slot, 0, slot.Samples.Count, cancellationToken).ConfigureAwait(false);
            _spool.Acknowledge(slot.Range.First, slot.Range.Last);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // not acknowledged: the batch is sent again after the restart (writes are idempotent)
        }
        catch (Exception ex)
        {
            LogForwardFailed(ex, slot.Range);
        }
        finally
        {
            free.TryWrite(slot);
        }
    }

    private async Task DeliverRangeAsync(EncodedBatch slot, int start, int count, CancellationToken cancellationToken)
    {
        var body = slot.Encode(start, count, _options.Gzip);
        var outcome = await _policy.DeliverAsync(
            static (s, ct) => s.client.SendAsync(s.body, s.gzip, s.range, ct),
            (client: _client, body, gzip: _options.Gzip, range: slot.Range),
            cancellationToken).ConfigureAwait(false);

        switch (outcome.Status)
        {
            case DeliveryStatus.Delivered:
                Status.OnDelivered(count, _timeProvider.GetUtcNow());
                return;
            case DeliveryStatus.TooLarge when count > 1:
                var half = count / 2;
                LogSplitting(slot.Range, count);
                await DeliverRangeAsync(slot, start, half, cancellationToken).ConfigureAwait(false);
                await DeliverRangeAsync(slot, start + half, count - half, cancellationToken).ConfigureAwait(false);
                return;
            default:
                await QuarantineAsync(slot, start, count, outcome, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async Task QuarantineAsync(EncodedBatch slot, int start, int count, DeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        Status.OnRejected(count);
        slot.Encode(start, count, gzip: false);
        var text = slot.Text.ToArray();
        var where = _quarantine is null
            ? "(no quarantine folder configured: the batch is only in this log)"
            : await _quarantine.StoreAsync(slot.Range, outcome.HttpStatus, outcome.Message, text, cancellationToken).ConfigureAwait(false);
        LogQuarantined(slot.Range, count, outcome.HttpStatus, outcome.Message, where);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Forwarding to {Uri} as edge {EdgeId}, from spool record {Sequence}")]
    private partial void LogStarted(Uri uri, string edgeId, long sequence);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "The datacenter refused spool records {Range} ({Count} samples) with HTTP {HttpStatus}: {Message}. Kept in {Where}; the stream goes on")]
    private partial void LogQuarantined(SpoolRange range, int count, int httpStatus, string message, string where);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Spool records {Range}: {Count} samples are too large for the datacenter; sending in halves")]
    private partial void LogSplitting(SpoolRange range, int count);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Critical, Message = "Forwarding spool records {Range} failed unexpectedly; they stay in the spool and are sent after a restart")]
    private partial void LogForwardFailed(Exception exception, SpoolRange range);
}
