using System.Net;
using System.Text;
using System.Text.Json;
using Telemetry.Ingest.Stores;
using Telemetry.Ingest.Tests.Fixtures;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Tests.Writing;

/// <summary>The write API's answers, with a recording store (the real stores are in StoreWriteTests).</summary>
public sealed class WriteApiTests : IAsyncLifetime
{
    private readonly RecordingStore _store = new();
    private Telemetry.Ingest.Hosting.IngestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await IngestTestKit.StartAsync(IngestTestKit.Options(limits: new Telemetry.Ingest.Configuration.WriteLimits { MaxBodyBytes = 64 * 1024, MaxDecompressedBytes = 256 * 1024, MaxLineBytes = 8 * 1024 }), _store);
        _http = IngestTestKit.Client(_server);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task WriteV2_ValidLines_204AndStoredAsSent()
    {
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "machine,machine=m1,site=plant-a speed=1.5 1700000000000000001\nmachine,machine=m1,site=plant-a count=3i 1700000000000000002\n");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var (lines, precision) = Assert.Single(_store.Writes);
        Assert.Equal("machine,machine=m1,site=plant-a speed=1.5 1700000000000000001\nmachine,machine=m1,site=plant-a count=3i 1700000000000000002\n", lines);
        Assert.Equal(TimestampPrecision.Nanoseconds, precision);
    }

    [Fact]
    public async Task WriteV1_GzipBasicAuthAndMsPrecision_Stored()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "write?db=x&precision=ms");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("edge:" + IngestTestKit.TokenB)));
        request.Content = IngestTestKit.Body(Encoding.UTF8.GetBytes("cpu,site=plant-b v=2 1700000000000\n"), gzip: true);
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains(_store.Writes, w => w.Precision == TimestampPrecision.Milliseconds && w.Lines.Contains("site=plant-b", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteV1_TokenAsPQueryParameter_Stored()
    {
        using var content = new StringContent("cpu,site=plant-a v=1 1\n");
        using var response = await _http.PostAsync($"write?db=x&u=edge&p={IngestTestKit.TokenA}", content);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Write_LineWithoutTimestamp_GetsReceiveTimeSoRetriesAreIdempotent()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1\n", precision: "ms");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var stored = Assert.Single(_store.Writes, w => w.Lines.StartsWith("cpu,site=plant-a v=1 ", StringComparison.Ordinal)).Lines;
        var stamp = long.Parse(stored.Trim().Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(stamp, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Theory]
    [InlineData(null, "no token")]
    [InlineData("wrong-token", "not valid")]
    public async Task Write_NoOrWrongToken_401NothingStored(string? token, string message)
    {
        using var response = await IngestTestKit.WriteV2Async(_http, token, "cpu,site=plant-a v=1 1\n");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_store.Writes);
    }

    [Fact]
    public async Task Write_SiteATokenWritingSiteB_403NothingStored()
    {
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 1\ncpu,site=plant-b v=1 1\n");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("forbidden", json.GetProperty("code").GetString());
        Assert.Contains("line 2", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_store.Writes);
    }

    [Fact]
    public async Task Write_OperatorToken_403CannotWrite()
    {
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.OperatorToken, "cpu,site=plant-a v=1 1\n");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task WriteV2_OneBadLine_400InfluxStyleNamingLineAndColumn_NothingStored()
    {
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 1\ncpu,site=plant-a v=oops 2\n");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid", json.GetProperty("code").GetString());
        Assert.StartsWith("line 2:", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_store.Writes);
    }

    [Fact]
    public async Task WriteV1_BadLine_400WithErrorProperty()
    {
        using var content = new StringContent("cpu,site=plant-a v=\n");
        using var response = await _http.PostAsync($"write?db=x&p={IngestTestKit.TokenA}", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("line 1:", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_BodyOverLimit_413()
    {
        var big = new StringBuilder();
        while (big.Length < 70 * 1024)
        {
            big.Append("cpu,site=plant-a v=1 1\n");
        }

        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, big.ToString());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_store.Writes);
    }

    [Fact]
    public async Task Write_GzipBombOverInflatedLimit_413()
    {
        var text = Encoding.UTF8.GetBytes(new string('#', 1 << 20)); // comments: 1 MiB inflates from ~1 KiB
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/write?bucket=b");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
        request.Content = IngestTestKit.Body(text, gzip: true);
        using var bomb = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bomb.StatusCode);
    }

    [Fact]
    public async Task Write_TruncatedGzip_400NothingStored()
    {
        var gz = IngestTestKit.Gzip(Encoding.UTF8.GetBytes("cpu,site=plant-a v=12345 1\ncpu,site=plant-a v=67890 2\n"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/write?bucket=b");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
        var content = new ByteArrayContent(gz[..^6]);
        content.Headers.ContentEncoding.Add("gzip");
        request.Content = content;
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("gzip", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_store.Writes);
    }

    [Fact]
    public async Task Write_UnknownEncoding_415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v2/write?bucket=b");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
        var content = new StringContent("cpu,site=plant-a v=1 1\n");
        content.Headers.ContentEncoding.Add("br");
        request.Content = content;
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Write_UnknownPrecision_400()
    {
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 1\n", precision: "h");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("precision", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_StoreSaturated_429WithRetryAfter()
    {
        _store.Answer = () => new StoreOutcome(StoreStatus.Saturated, "busy", TimeSpan.FromSeconds(1));
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 1\n");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Write_StoreDown_503WithRetryAfter()
    {
        _store.Answer = () => new StoreOutcome(StoreStatus.Unavailable, "down", TimeSpan.FromSeconds(3));
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 1\n");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Write_StoreRejects_400WithStoreMessage()
    {
        _store.Answer = () => new StoreOutcome(StoreStatus.Rejected, "field type conflict");
        using var response = await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 1\n");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("field type conflict", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_EdgeHeaders_AccountedAndGapReported()
    {
        var headers = new Dictionary<string, string> { ["X-Telemetry-Edge"] = "edge-1", ["X-Telemetry-Spool-Range"] = "0-9" };
        using (await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 1\n", headers: headers))
        {
        }

        headers["X-Telemetry-Spool-Range"] = "20-29";
        using (await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 2\n", headers: headers))
        {
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/edges");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
        using var response = await _http.SendAsync(request);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var gap = Assert.Single(json.GetProperty("gaps").EnumerateArray());
        Assert.Equal(10, gap.GetProperty("firstMissing").GetInt64());
        Assert.Equal(19, gap.GetProperty("lastMissing").GetInt64());
        Assert.Contains("site plant-a, edge edge-1: 10", gap.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var other = new HttpRequestMessage(HttpMethod.Get, "api/edges");
        other.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", IngestTestKit.TokenB);
        using var otherResponse = await _http.SendAsync(other);
        Assert.Empty(JsonDocument.Parse(await otherResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("gaps").EnumerateArray());
    }

    [Fact]
    public async Task Metrics_AfterWrites_PerSiteCountersInPrometheusText()
    {
        using (await IngestTestKit.WriteV2Async(_http, IngestTestKit.TokenA, "cpu,site=plant-a v=1 1\ncpu,site=plant-a v=2 2\n"))
        {
        }

        var text = await _http.GetStringAsync("metrics");

        Assert.Contains("telemetry_ingest_points_total{site=\"plant-a\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE telemetry_ingest_request_duration_seconds histogram", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PingAndHealth_Answer()
    {
        using var ping = await _http.GetAsync("ping");
        Assert.Equal(HttpStatusCode.NoContent, ping.StatusCode);
        using var health = await _http.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
