using System.Diagnostics;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.Tests.Fixtures;

namespace Telemetry.OpcUa.Tests.Integration;

/// <summary>Malformed, oversized, never-ending and silent servers: a clear OpcUaException or TimeoutException, never a hang.</summary>
public sealed class HostileServerTests
{
    [Theory]
    [InlineData(FakeServerBehavior.MalformedOpenResponse, StatusCodes.BadEncodingLimitsExceeded)]
    [InlineData(FakeServerBehavior.OversizedChunk, StatusCodes.BadTcpMessageTooLarge)]
    [InlineData(FakeServerBehavior.NeverEndingMessage, StatusCodes.BadTcpMessageTooLarge)]
    [InlineData(FakeServerBehavior.GarbageInsteadOfAck, StatusCodes.BadTcpMessageTypeInvalid)]
    public async Task ConnectAsync_HostileServer_FailsWithStatus(FakeServerBehavior behavior, uint expected)
    {
        await using var server = new FakeUaServer(behavior);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(
            new UaClientOptions { EndpointUrl = server.EndpointUrl, RequestTimeout = TimeSpan.FromSeconds(10) }, cts.Token));

        Assert.Equal(expected, ex.StatusCode.Code);
        Assert.Contains(server.EndpointUrl, ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ConnectAsync_SilentServer_TimesOut()
    {
        await using var server = new FakeUaServer(FakeServerBehavior.Silent);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => UaSession.ConnectAsync(
            new UaClientOptions { EndpointUrl = server.EndpointUrl, RequestTimeout = TimeSpan.FromSeconds(1) }, cts.Token));

        Assert.Contains("OpenSecureChannelRequest", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_FailsWithNotConnected()
    {
        var port = Telemetry.Testing.FreePort.Get();
        var ex = await Assert.ThrowsAsync<OpcUaException>(() => UaSession.ConnectAsync(new UaClientOptions { EndpointUrl = $"opc.tcp://127.0.0.1:{port}" }));
        Assert.Equal(StatusCodes.BadNotConnected, ex.StatusCode.Code);
    }
}
