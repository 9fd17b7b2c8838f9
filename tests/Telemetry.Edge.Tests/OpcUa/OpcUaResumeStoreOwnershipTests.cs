using Telemetry.Edge.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Services;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests.OpcUa;

/// <summary>
/// A configuration reload stops old source instances and starts new ones: the state file of one source instance is
/// never deleted or overwritten by another (a renamed source whose name maps to the same file, an old instance of the
/// same source stopping after the new one saved).
/// </summary>
public sealed class OpcUaResumeStoreOwnershipTests
{
    private const string Endpoint = "opc.tcp://127.0.0.1:4840";

    private static UaResumeState State(string sessionId) => new(Endpoint, sessionId,
    [
        new UaSubscriptionState(7, 100, 10, 600, 0,
        [
            new UaItemState(1, 11, ExpandedNodeId.Parse("nsu=urn:telemetry:plc;s=Counter"), AttributeId.Value, 0, 1000, true, null),
        ]),
    ]);

    [Theory]
    [InlineData("plc.1", "plc_1")]
    [InlineData("PLC", "plc")]
    [InlineData("Line.2", "line_2")]
    public void Constructor_NamesThatMapToTheSameSafeText_DifferentFiles(string a, string b)
    {
        using var dir = new TempDirectory("resume-names");
        var first = new OpcUaResumeStore(dir.Path, a);
        var second = new OpcUaResumeStore(dir.Path, b);

        Assert.NotEqual(first.SessionPath, second.SessionPath, StringComparer.OrdinalIgnoreCase);
        Assert.NotEqual(first.AcksPath, second.AcksPath, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Constructor_PlainLowerCaseName_FileNamedAfterIt()
    {
        using var dir = new TempDirectory("resume-names");

        Assert.Equal(Path.Combine(dir.Path, "opcua-press-plc_2.session.json"), new OpcUaResumeStore(dir.Path, "press-plc_2").SessionPath);
    }

    [Fact]
    public void Delete_RenamedSourceWithCollidingSafeNameStopsAfterTheOtherSaved_OtherFileKept()
    {
        using var dir = new TempDirectory("resume-rename");
        var old = new OpcUaResumeStore(dir.Path, "plc.1");
        old.Save(State("ns=1;i=1"));
        var renamed = new OpcUaResumeStore(dir.Path, "plc_1");
        renamed.Save(State("ns=1;i=2"));

        old.Delete();

        var (state, problem) = new OpcUaResumeStore(dir.Path, "plc_1").Load(Endpoint);
        Assert.Null(problem);
        Assert.Equal("ns=1;i=2", state?.SessionId);
    }

    [Fact]
    public void Delete_OldInstanceOfSameSourceStopsAfterTheNewOneSaved_NewFileKept()
    {
        using var dir = new TempDirectory("resume-replace");
        var old = new OpcUaResumeStore(dir.Path, "plc");
        old.Save(State("ns=1;i=1"));
        var replacement = new OpcUaResumeStore(dir.Path, "plc");
        replacement.Save(State("ns=1;i=2"));
        replacement.SaveAcknowledged(new Dictionary<uint, uint> { [7] = 42 });

        old.Delete();
        old.SaveAcknowledged(new Dictionary<uint, uint> { [7] = 3 }); // a late acknowledgement of the old writer loop

        var (state, problem) = new OpcUaResumeStore(dir.Path, "plc").Load(Endpoint);
        Assert.Null(problem);
        Assert.Equal("ns=1;i=2", state?.SessionId);
        Assert.Equal(42u, state?.Subscriptions[0].AcknowledgedThrough);
    }

    [Fact]
    public void Delete_OwnFile_Deleted()
    {
        using var dir = new TempDirectory("resume-own");
        var store = new OpcUaResumeStore(dir.Path, "plc.1");
        store.Save(State("ns=1;i=1"));

        store.Delete();

        Assert.False(File.Exists(store.SessionPath));
        Assert.False(File.Exists(store.AcksPath));
    }

    [Fact]
    public void SaveAcknowledged_AfterDelete_NothingWritten()
    {
        using var dir = new TempDirectory("resume-late");
        var store = new OpcUaResumeStore(dir.Path, "plc");
        store.Save(State("ns=1;i=1"));
        store.Delete();

        Assert.False(store.SaveAcknowledged(new Dictionary<uint, uint> { [7] = 9 }));

        Assert.False(File.Exists(store.AcksPath));
    }
}
