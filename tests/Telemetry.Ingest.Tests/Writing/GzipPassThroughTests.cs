using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Stores;
using Telemetry.Ingest.Tests.Fixtures;
using Telemetry.LineProtocol;
using Telemetry.Testing.Peers;

namespace Telemetry.Ingest.Tests.Writing;

/// <summary>The request's own gzip bytes go to a gzip store as they are when the body was not re-written.</summary>
public sealed class GzipPassThroughTests
{
    [Fact]
    public async Task Write_GzipBodyWithTimestamps_StoreGetsTheRequestsGzipBytes()
    {
        var store = new GzipRecordingStore();
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options(), store);
        using var http = IngestTestKit.Client(server);
        var text = Encoding.UTF8.GetBytes("cpu,site=plant-a v=1 1\ncpu,site=plant-a v=2 2\n");
        var gz = IngestTestKit.Gzip(text);

        using var response = await SendAsync(http, new ByteArrayContent(gz), gzip: true);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var write = Assert.Single(store.Writes);
        Assert.Equal(text, write.Lines);
        Assert.Equal(gz, write.Gzipped);
    }

    [Fact]
    public async Task Write_GzipBodyWithoutTimestamps_StampedLinesNoGzipBytes()
    {
        var store = new GzipRecordingStore();
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options(), store);
        using var http = IngestTestKit.Client(server);

        using var response = await SendAsync(http, new ByteArrayContent(IngestTestKit.Gzip("cpu,site=plant-a v=1\n"u8.ToArray())), gzip: true);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var write = Assert.Single(store.Writes);
        Assert.StartsWith("cpu,site=plant-a v=1 ", Encoding.UTF8.GetString(write.Lines), StringComparison.Ordinal);
        Assert.Empty(write.Gzipped);
    }

    [Fact]
    public async Task Write_PlainBody_NoGzipBytes()
    {
        var store = new GzipRecordingStore();
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options(), store);
        using var http = IngestTestKit.Client(server);

        using var response = await SendAsync(http, new ByteArrayContent("cpu,site=plant-a v=1 1\n"u8.ToArray()), gzip: false);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(Assert.Single(store.Writes).Gzipped);
    }

    [Fact]
    public async Task Write_GzipStoreVictoriaMetrics_PassedThroughAndStampedBodiesStored()
    {
        await using var vm = await VictoriaMetricsPeer.StartAsync();
        var options = IngestTestKit.Options(new StoreOptions { Kind = StoreKind.VictoriaMetrics, Url = vm.BaseAddress, Gzip = true });
        await using var server = await IngestTestKit.StartAsync(options);
        using var http = IngestTestKit.Client(server);
        var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;

        var passed = IngestTestKit.Gzip(Encoding.UTF8.GetBytes($"gzpass,site=plant-a v=11 {ms}\n"));
        using (var response = await SendAsync(http, new ByteArrayContent(passed), gzip: true, precision: "ms"))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        using (var response = await SendAsync(http, new ByteArrayContent(IngestTestKit.Gzip("gzstamp,site=plant-a v=22\n"u8.ToArray())), gzip: true, precision: "ms"))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        string exported;
        do
        {
            await vm.ForceFlushAsync();
            exported = await vm.ExportAsync("{__name__=~\"gzpass_v|gzstamp_v\"}");
            if (exported.Contains("gzpass_v", StringComparison.Ordinal) && exported.Contains("gzstamp_v", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Contains("[11]", exported, StringComparison.Ordinal);
        Assert.Contains("[22]", exported, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, ByteArrayContent content, bool gzip, string precision = "ns")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v2/write?bucket=b&precision={precision}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        request.Content = content;
        return await http.SendAsync(request);
    }

    private sealed class GzipRecordingStore : IPointStore
    {
        public ConcurrentQueue<(byte[] Lines, byte[] Gzipped)> Writes { get; } = new();

        public string Description => "gzip recording";

        public ValueTask<StoreOutcome> WriteAsync(ReadOnlyMemory<byte> lines, TimestampPrecision precision, CancellationToken cancellationToken = default) =>
            WriteAsync(lines, default, precision, cancellationToken);

        public ValueTask<StoreOutcome> WriteAsync(ReadOnlyMemory<byte> lines, ReadOnlyMemory<byte> gzipped, TimestampPrecision precision, CancellationToken cancellationToken = default)
        {
            Writes.Enqueue((lines.ToArray(), gzipped.ToArray()));
            return ValueTask.FromResult(StoreOutcome.Stored);
        }

        public ValueTask<(bool Reachable, string? Error)> PingAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<(bool, string?)>((true, null));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
