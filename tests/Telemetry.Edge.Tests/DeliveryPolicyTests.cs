using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;
using Telemetry.Testing;
using static Telemetry.Edge.Tests.ForwarderTestKit;

namespace Telemetry.Edge.Tests;

/// <summary>How the forwarder reacts to each kind of answer (a scripted HTTP handler stands in for the server).</summary>
public class DeliveryPolicyTests
{
    private sealed class ScriptedHandler(Func<HttpRequestMessage, byte[], HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, byte[] Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            lock (Requests)
            {
                Requests.Add((request, body));
            }

            return answer(request, body);
        }
    }

    private static DatacenterOptions Options => new()
    {
        Kind = DatacenterKind.TelemetryIngest,
        BaseUri = new Uri("http://127.0.0.1:9/"),
        EdgeId = "edge-7",
        Token = "secret-token",
        Gzip = false,
        MaxRetryDelay = TimeSpan.FromMilliseconds(300),
    };

    [Fact]
    public async Task Send_Ingest_CarriesTokenEdgeIdAndSpoolRange()
    {
        var handler = new ScriptedHandler((_, _) => new HttpResponseMessage(HttpStatusCode.NoContent));
        using var client = new DatacenterClient(Options, handler);
        var outcome = await client.SendAsync("m f=1 1\n"u8.ToArray(), gzipped: false, new SpoolRange(5, 9));

        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        var request = Assert.Single(handler.Requests).Request;
        Assert.Equal("Token secret-token", request.Headers.Authorization!.ToString());
        Assert.Equal("edge-7", request.Headers.GetValues(DatacenterClient.EdgeHeader).Single());
        Assert.Equal("5-9", request.Headers.GetValues(DatacenterClient.SpoolRangeHeader).Single());
        Assert.Equal("/api/v2/write", request.RequestUri!.AbsolutePath);
    }

    [Theory]
    [InlineData(400, DeliveryStatus.Rejected)]
    [InlineData(401, DeliveryStatus.ConfigurationError)]
    [InlineData(403, DeliveryStatus.ConfigurationError)]
    [InlineData(404, DeliveryStatus.ConfigurationError)]
    [InlineData(413, DeliveryStatus.TooLarge)]
    [InlineData(429, DeliveryStatus.Transient)]
    [InlineData(500, DeliveryStatus.Transient)]
    [InlineData(503, DeliveryStatus.Transient)]
    public async Task Send_HttpStatus_Classified(int status, DeliveryStatus expected)
    {
        var handler = new ScriptedHandler((_, _) => new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("why") });
        using var client = new DatacenterClient(Options, handler);
        var outcome = await client.SendAsync("m f=1 1\n"u8.ToArray(), false, new SpoolRange(0, 0));
        Assert.Equal(expected, outcome.Status);
        Assert.Contains("why", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_UnauthorizedThenFixed_KeepsBufferingThenDelivers()
    {
        var authorized = false;
        var handler = new ScriptedHandler((_, _) => Volatile.Read(ref authorized)
            ? new HttpResponseMessage(HttpStatusCode.NoContent)
            : new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("{\"code\":\"unauthorized\"}") });
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        using var forwarder = new Forwarder(spool, Options, NullLogger<Forwarder>.Instance, handler: handler);
        await forwarder.StartAsync(CancellationToken.None);
        await AppendAsync(spool, MakeSamples(perSeries: 5, machines: 1));

        await WaitUntilAsync(() => forwarder.Status.State == ForwarderLinkState.ConfigurationError, TimeSpan.FromSeconds(10), () => forwarder.Status.State.ToString());
        Assert.Equal(0, spool.AcknowledgedBelow);
        Assert.Contains("401", forwarder.Status.LastError, StringComparison.Ordinal);

        Volatile.Write(ref authorized, true);
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(10));
        await forwarder.StopAsync(CancellationToken.None);
        Assert.Equal(20, forwarder.Status.DeliveredSamples);
    }

    [Fact]
    public async Task Forward_TooLargeForServer_SplitUntilAccepted()
    {
        var lines = 0;
        var handler = new ScriptedHandler((_, body) =>
        {
            var count = body.Count(b => b == (byte)'\n');
            if (count > 7)
            {
                return new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge);
            }

            Interlocked.Add(ref lines, count);
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        });
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        using var forwarder = new Forwarder(spool, Options, NullLogger<Forwarder>.Instance, handler: handler);
        await forwarder.StartAsync(CancellationToken.None);
        await AppendAsync(spool, MakeSamples(perSeries: 25, machines: 1));
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(10));
        await forwarder.StopAsync(CancellationToken.None);
        Assert.Equal(100, Volatile.Read(ref lines));
    }

    [Fact]
    public async Task Forward_ServerBusyWithRetryAfter_RetriedThenDelivered()
    {
        var calls = 0;
        var handler = new ScriptedHandler((_, _) =>
        {
            if (Interlocked.Increment(ref calls) <= 2)
            {
                var busy = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
                busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMilliseconds(100));
                return busy;
            }

            return new HttpResponseMessage(HttpStatusCode.NoContent);
        });
        using var dir = new TempDirectory("spool");
        await using var spool = await Spool.OpenAsync(new SpoolOptions(dir.Path));
        using var forwarder = new Forwarder(spool, Options, NullLogger<Forwarder>.Instance, handler: handler);
        await forwarder.StartAsync(CancellationToken.None);
        await AppendAsync(spool, MakeSamples(perSeries: 3, machines: 1), batchSize: 100);
        await WaitAllAcknowledgedAsync(spool, TimeSpan.FromSeconds(10));
        await forwarder.StopAsync(CancellationToken.None);
        Assert.True(forwarder.Status.FailedAttempts >= 2);
        Assert.Equal(12, forwarder.Status.DeliveredSamples);
    }
}
