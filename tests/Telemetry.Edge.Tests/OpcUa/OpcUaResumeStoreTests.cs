using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>The saved session state of an OPC UA source: round trip, atomic replace, and unreadable files as a reason, never a crash.</summary>
public sealed class OpcUaResumeStoreTests
{
    private const string Endpoint = "opc.tcp://127.0.0.1:4840";

    private static readonly UaResumeState State = new(Endpoint, "ns=1;g=5f1c2a3e-0000-4000-8000-000000000001",
    [
        new UaSubscriptionState(7, 100, 10, 600, 0,
        [
            new UaItemState(1, 11, ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Counter"), AttributeId.Value, 0, 1000, true, null),
            new UaItemState(2, 12, ExpandedNodeId.Parse("nsu=urn:telemetry:machines;s=Press1.Force"), AttributeId.Value, 250, 10, false, new DataChangeFilter(DataChangeTrigger.StatusValue, DeadbandType.Percent, 2.5)),
        ]),
        new UaSubscriptionState(8, 1000, 5, 300, 0, []),
    ]);

    [Fact]
    public void SaveAndSaveAcknowledged_ThenLoad_RoundTripsSubscriptionsItemsAndAcknowledged()
    {
        using var dir = new TempDirectory("resume-store");
        var store = new OpcUaResumeStore(dir.Combine("state"), "plc/1");
        store.Save(State);
        Assert.True(store.SaveAcknowledged(new Dictionary<uint, uint> { [7] = 42, [8] = 3 }));

        var (loaded, problem) = new OpcUaResumeStore(dir.Combine("state"), "plc/1").Load(Endpoint);

        Assert.Null(problem);
        Assert.NotNull(loaded);
        Assert.Equal(State.SessionId, loaded.SessionId);
        Assert.Equal([(7u, 42u), (8u, 3u)], loaded.Subscriptions.Select(s => (s.SubscriptionId, s.AcknowledgedThrough)));
        Assert.Equal(State.Subscriptions[0].Items, loaded.Subscriptions[0].Items);
        Assert.Equal((1000.0, 5u, 300u), (loaded.Subscriptions[1].PublishingIntervalMs, loaded.Subscriptions[1].MaxKeepAliveCount, loaded.Subscriptions[1].LifetimeCount));
        Assert.StartsWith("opcua-plc_1+", Path.GetFileName(store.SessionPath), StringComparison.Ordinal); // '/' is no file name character
        Assert.EndsWith(".session.json", store.SessionPath, StringComparison.Ordinal);
        Assert.False(File.Exists(store.SessionPath + ".tmp"));
    }

    [Fact]
    public void SaveAcknowledged_Unchanged_NotWrittenAgain()
    {
        using var dir = new TempDirectory("resume-store");
        var store = new OpcUaResumeStore(dir.Path, "plc");
        store.Save(State);

        Assert.True(store.SaveAcknowledged(new Dictionary<uint, uint> { [7] = 5 }));
        Assert.False(store.SaveAcknowledged(new Dictionary<uint, uint> { [7] = 5 }));
        Assert.True(store.SaveAcknowledged(new Dictionary<uint, uint> { [7] = 6 }));
    }

    [Fact]
    public void Load_NoFile_NothingAndNoProblem()
    {
        using var dir = new TempDirectory("resume-store");
        Assert.Equal((null, null), new OpcUaResumeStore(dir.Path, "plc").Load(Endpoint));
    }

    [Theory]
    [InlineData("{\"version\":1,\"endpoint\":\"opc.tcp://127.0.0.1:4840\",\"session\":\"x\",\"subscriptions\":[{\"id\":7,")]
    [InlineData("\0\0\0\0\0\0")]
    [InlineData("{\"version\":1}")]
    [InlineData("{\"version\":1,\"endpoint\":\"opc.tcp://127.0.0.1:4840\",\"session\":\"x\",\"subscriptions\":[{\"id\":-3}]}")]
    public void Load_CorruptFile_ProblemNamingTheFileNoCrash(string content)
    {
        using var dir = new TempDirectory("resume-store");
        var store = new OpcUaResumeStore(dir.Path, "plc");
        File.WriteAllText(store.SessionPath, content);

        var (state, problem) = store.Load(Endpoint);

        Assert.Null(state);
        Assert.Contains(store.SessionPath, problem, StringComparison.Ordinal);
        Assert.Contains("cannot be read", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptAcknowledgements_ProblemNoCrash()
    {
        using var dir = new TempDirectory("resume-store");
        var store = new OpcUaResumeStore(dir.Path, "plc");
        store.Save(State);
        File.WriteAllText(store.AcksPath, "{\"version\":1,\"acks\":{\"7\":");

        var (state, problem) = store.Load(Endpoint);

        Assert.Null(state);
        Assert.Contains("cannot be read", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherFormatVersionOrOtherPlc_ProblemSaysWhich()
    {
        using var dir = new TempDirectory("resume-store");
        var store = new OpcUaResumeStore(dir.Path, "plc");
        store.Save(State);

        Assert.Contains("is for opc.tcp://127.0.0.1:4840, not opc.tcp://10.0.0.9:4840", store.Load("opc.tcp://10.0.0.9:4840").Problem, StringComparison.Ordinal);

        File.WriteAllText(store.SessionPath, "{\"version\":99}");
        Assert.Contains("format version 99, not 1", store.Load(Endpoint).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_AfterCleanStop_NothingLeftToLoad()
    {
        using var dir = new TempDirectory("resume-store");
        var store = new OpcUaResumeStore(dir.Path, "plc");
        store.Save(State);
        store.Delete();

        Assert.False(File.Exists(store.SessionPath));
        Assert.False(File.Exists(store.AcksPath));
        Assert.Equal((null, null), store.Load(Endpoint));
    }
}
