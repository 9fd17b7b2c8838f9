using Telemetry.Core;
using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>
/// The writer queue between the publish loop and the spool is bounded: at the capacity the session is asked to hold
/// back its next Publish (the PLC keeps the values), the full queue is counted, and nothing is dropped.
/// </summary>
public sealed class OpcUaSampleWriterQueueTests
{
    private static readonly MonitoredItem Item = new(
        new MonitoredItemOptions(ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Counter")) { Tag = new AssetPath("plant-a", "", "", "plc-1", "counter") }, 1);

    [Fact]
    public void WaitForCapacityAsync_BelowCapacity_CompletesAtOnceUncounted()
    {
        var writer = new OpcUaSampleWriter(Options(capacity: 3, maxBatch: 10), static (_, _) => { });
        Deliver(writer, 2);

        Assert.True(writer.WaitForCapacityAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);
        Assert.Equal(0, writer.QueueFullCount);
    }

    [Fact]
    public async Task WaitForCapacityAsync_QueueFull_WaitsUntilWriterTakesAndDropsNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var writer = new OpcUaSampleWriter(Options(capacity: 3, maxBatch: 4), static (_, _) => { });
        Deliver(writer, 3);

        var wait = writer.WaitForCapacityAsync(cts.Token).AsTask();
        Assert.False(wait.IsCompleted);
        Assert.Equal(1, writer.QueueFullCount);

        // values of Publish responses already on the way are still taken: the bound holds back requests, not values
        Deliver(writer, 2);
        Assert.Equal(5, writer.QueuedSamples);
        Assert.False(wait.IsCompleted);

        var sink = new CountingSink();
        var run = writer.RunAsync(sink, cts.Token);
        await wait.WaitAsync(cts.Token); // the writer took a batch of 4: one left, below the capacity
        await sink.WaitForAsync(5, cts.Token);

        Assert.Equal(5, sink.Samples);
        Assert.Equal(0, writer.QueuedSamples);
        Assert.Equal(1, writer.QueueFullCount);
        Assert.True(writer.WaitForCapacityAsync(cts.Token).AsTask().IsCompletedSuccessfully);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task WaitForCapacityAsync_CancelledWhileFull_Throws()
    {
        using var cts = new CancellationTokenSource();
        var writer = new OpcUaSampleWriter(Options(capacity: 1, maxBatch: 4), static (_, _) => { });
        Deliver(writer, 1);

        var wait = writer.WaitForCapacityAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public void Validate_ZeroWriterQueueCapacity_RejectedNamingTheSource()
    {
        var error = Assert.Throws<ArgumentException>(() => Options(capacity: 0, maxBatch: 4).Validate());
        Assert.Contains("'plc'", error.Message, StringComparison.Ordinal);
        Assert.Contains("writer queue capacity", error.Message, StringComparison.Ordinal);
    }

    private static void Deliver(OpcUaSampleWriter writer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            writer.OnDataChange(Item, new DataValue((double)i, default, DateTime.UtcNow));
        }
    }

    private static OpcUaSourceOptions Options(int capacity, int maxBatch) => new()
    {
        Name = "plc",
        Site = "plant-a",
        EndpointUrl = "opc.tcp://127.0.0.1:4840",
        MaxBatchSamples = maxBatch,
        WriterQueueCapacity = capacity,
        Nodes = [new OpcUaNodeSpec { Selector = OpcUaNodeSelector.NodeId, NodeId = Item.NodeId, Machine = "plc-1" }],
    };

    private sealed class CountingSink : ISampleSink
    {
        private long _samples;

        public long Samples => Interlocked.Read(ref _samples);

        public ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _samples, batch.Count);
            return ValueTask.CompletedTask;
        }

        public async Task WaitForAsync(long count, CancellationToken cancellationToken)
        {
            while (Samples < count)
            {
                await Task.Delay(10, cancellationToken);
            }
        }
    }
}
