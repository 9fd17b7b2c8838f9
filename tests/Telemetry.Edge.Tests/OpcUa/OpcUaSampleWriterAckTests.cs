using System.Collections.Concurrent;
using Telemetry.Core;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>
/// The OPC UA source acknowledges a NotificationMessage to the PLC only after the sink (the spool, whose WriteAsync
/// completes after the fsync) has made all its samples durable: a fake consumer holds each write until the test
/// releases it and records what was durable when each acknowledgement was given.
/// </summary>
public sealed class OpcUaSampleWriterAckTests
{
    private static readonly MonitoredItem Item = new(
        new MonitoredItemOptions(ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Counter")) { Tag = new AssetPath("plant-a", "", "", "plc-1", "counter") }, 1);

    [Fact]
    public async Task OnNotificationMessage_SamplesNotYetDurable_AcknowledgedOnlyAfterSinkWriteCompletes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sink = new GatedSink();
        var acks = new RecordingAcknowledger(sink);
        var writer = new OpcUaSampleWriter(Options(), static (_, _) => { });
        Deliver(writer, 3);
        Assert.False(writer.OnNotificationMessage(new NotificationAck(acks, 7, 1)));
        var run = writer.RunAsync(sink, cts.Token); // one write of all three

        await sink.WriteStarted.WaitAsync(cts.Token); // the write is in progress, not durable yet
        Assert.Empty(acks.Given);
        Assert.Equal(1, writer.PendingAcknowledgements);

        sink.ReleaseOne();
        await acks.WaitForAsync(1, cts.Token);
        var given = Assert.Single(acks.Given);
        Assert.Equal((7u, 1u), (given.SubscriptionId, given.SequenceNumber));
        Assert.Equal(3, given.DurableWhenGiven);
        Assert.Equal(0, writer.PendingAcknowledgements);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task OnNotificationMessage_TwoMessagesTwoWrites_EachAcknowledgedWhenItsOwnSamplesAreDurable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sink = new GatedSink();
        var acks = new RecordingAcknowledger(sink);
        var writer = new OpcUaSampleWriter(Options(maxBatch: 2), static (_, _) => { });

        // both messages are queued before the writer runs: batches of 2 split them at the message boundary
        Deliver(writer, 2);
        Assert.False(writer.OnNotificationMessage(new NotificationAck(acks, 7, 1)));
        Deliver(writer, 2);
        Assert.False(writer.OnNotificationMessage(new NotificationAck(acks, 7, 2)));
        var run = writer.RunAsync(sink, cts.Token);

        sink.ReleaseOne();
        await acks.WaitForAsync(1, cts.Token);
        await sink.WaitForWritesStartedAsync(2, cts.Token);
        Assert.Equal([(7u, 1u, 2L)], acks.Given.Select(a => (a.SubscriptionId, a.SequenceNumber, a.DurableWhenGiven)));

        sink.ReleaseOne();
        await acks.WaitForAsync(2, cts.Token);
        Assert.Equal([(7u, 1u, 2L), (7u, 2u, 4L)], acks.Given.Select(a => (a.SubscriptionId, a.SequenceNumber, a.DurableWhenGiven)));

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task OnNotificationMessage_EverythingAlreadyDurable_AcknowledgedAtOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sink = new GatedSink();
        var acks = new RecordingAcknowledger(sink);
        var writer = new OpcUaSampleWriter(Options(), static (_, _) => { });
        var run = writer.RunAsync(sink, cts.Token);

        // a message without values (a status change only): nothing to wait for
        Assert.True(writer.OnNotificationMessage(new NotificationAck(acks, 7, 1)));

        Deliver(writer, 1);
        Assert.False(writer.OnNotificationMessage(new NotificationAck(acks, 7, 2)));
        sink.ReleaseOne();
        await acks.WaitForAsync(1, cts.Token);

        // a duplicate of message 2 (values not handed on again): safe once message 2 is, which it is now
        Assert.True(writer.OnNotificationMessage(new NotificationAck(acks, 7, 2)));
        Assert.Equal(1, writer.DurableSamples);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task OnNotificationMessage_SinkWriteFails_NeverAcknowledged()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sink = new GatedSink { Failure = new IOException("disk full") };
        var acks = new RecordingAcknowledger(sink);
        var writer = new OpcUaSampleWriter(Options(), static (_, _) => { });
        var run = writer.RunAsync(sink, cts.Token);

        Deliver(writer, 2);
        Assert.False(writer.OnNotificationMessage(new NotificationAck(acks, 7, 1)));
        sink.ReleaseOne();

        var error = await Assert.ThrowsAsync<IOException>(() => run);
        Assert.Equal("disk full", error.Message);
        Assert.Empty(acks.Given); // the PLC keeps the message for the next session's Republish
        Assert.Equal(1, writer.PendingAcknowledgements);
    }

    private static void Deliver(OpcUaSampleWriter writer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            writer.OnDataChange(Item, new DataValue((double)i, default, DateTime.UtcNow));
        }
    }

    private static OpcUaSourceOptions Options(int maxBatch = 4096) => new()
    {
        Name = "plc",
        Site = "plant-a",
        EndpointUrl = "opc.tcp://127.0.0.1:4840",
        MaxBatchSamples = maxBatch,
    };

    /// <summary>A sink whose writes complete only when the test releases them (as a spool completes after its fsync).</summary>
    private sealed class GatedSink : ISampleSink
    {
        private readonly SemaphoreSlim _release = new(0);
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _durable;
        private int _writesStarted;

        public Exception? Failure { get; init; }

        public Task WriteStarted => _started.Task;

        public long Durable => Interlocked.Read(ref _durable);

        public void ReleaseOne() => _release.Release();

        public async Task WaitForWritesStartedAsync(int count, CancellationToken cancellationToken)
        {
            while (Volatile.Read(ref _writesStarted) < count)
            {
                await Task.Delay(10, cancellationToken);
            }
        }

        public async ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writesStarted);
            _started.TrySetResult();
            await _release.WaitAsync(cancellationToken);
            if (Failure is not null)
            {
                throw Failure;
            }

            Interlocked.Add(ref _durable, batch.Count);
        }
    }

    private sealed class RecordingAcknowledger(GatedSink sink) : INotificationAcknowledger
    {
        private readonly ConcurrentQueue<(uint SubscriptionId, uint SequenceNumber, long DurableWhenGiven)> _given = new();

        public IReadOnlyList<(uint SubscriptionId, uint SequenceNumber, long DurableWhenGiven)> Given => [.. _given];

        public void Acknowledge(uint subscriptionId, uint sequenceNumber) => _given.Enqueue((subscriptionId, sequenceNumber, sink.Durable));

        public async Task WaitForAsync(int count, CancellationToken cancellationToken)
        {
            while (_given.Count < count)
            {
                await Task.Delay(10, cancellationToken);
            }
        }
    }
}
