using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>
/// A resume file saved just before the PLC's sequence numbers roll over to 1 (after 4,294,967,295): the numbers come
/// back exactly, and what the PLC holds after the rollover is republished, not taken as acknowledged.
/// </summary>
public sealed class OpcUaResumeStoreRolloverTests
{
    private const string Endpoint = "opc.tcp://127.0.0.1:4840";

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(uint.MaxValue - 1)]
    public void Load_SavedJustBeforeRollover_HeldAfterRolloverFetchedNotAcknowledged(uint through)
    {
        using var dir = new TempDirectory("resume-rollover");
        var store = new OpcUaResumeStore(dir.Path, "plc");
        store.Save(new UaResumeState(Endpoint, "ns=1;i=5", [new UaSubscriptionState(7, 100, 10, 600, 0, [])]));
        store.SaveAcknowledged(new Dictionary<uint, uint> { [7] = through });

        var (state, problem) = new OpcUaResumeStore(dir.Path, "plc").Load(Endpoint);

        Assert.Null(problem);
        Assert.Equal(through, state!.Subscriptions[0].AcknowledgedThrough);
        var n1 = SequenceNumbers.Next(through);
        var n2 = SequenceNumbers.Next(n1);
        var n3 = SequenceNumbers.Next(n2);
        var (acknowledge, fetch) = SequenceNumbers.SplitHeld([n3, through, n1, n2], state.Subscriptions[0].AcknowledgedThrough);
        Assert.Equal([through], acknowledge);
        Assert.Equal([n1, n2, n3], fetch);
        Assert.Contains(1u, fetch);
    }
}
