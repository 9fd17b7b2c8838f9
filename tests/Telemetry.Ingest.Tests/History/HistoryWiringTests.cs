using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Tests.Fixtures;
using Telemetry.Testing;

namespace Telemetry.Ingest.Tests.History;

/// <summary>/api/history on an ingest whose store cannot be read: a clear 501, before and after the caller check.</summary>
public sealed class HistoryWiringTests
{
    private const string Query = "api/history?machine=m&tag=t&from=0&to=1000";

    [Fact]
    public async Task History_NullStore_Returns501WithReason()
    {
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options());
        using var http = IngestTestKit.Client(server);

        var (status, message) = await GetAsync(http, IngestTestKit.TokenA, Query);

        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Contains("no store", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_InfluxDb2Store_Returns501NotSupportedYet()
    {
        // Nothing listens on port 9: the reader must answer without asking the store.
        var store = new StoreOptions { Kind = StoreKind.InfluxDb2, Url = new Uri("http://127.0.0.1:9/"), Org = "o", Bucket = "b" };
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options(store));
        using var http = IngestTestKit.Client(server);

        var (status, message) = await GetAsync(http, IngestTestKit.OperatorToken, Query);

        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Contains("not supported yet", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_StoreUnreachable_Returns503NamingTheStore()
    {
        var port = FreePort.Get(); // nothing listens there
        var store = new StoreOptions { Kind = StoreKind.InfluxDb1, Url = new Uri($"http://127.0.0.1:{port}/"), Database = "telemetry", AttemptTimeout = TimeSpan.FromSeconds(2), TotalTimeout = TimeSpan.FromSeconds(5) };
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options(store));
        using var http = IngestTestKit.Client(server);

        var (status, message) = await GetAsync(http, IngestTestKit.TokenA, Query);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains($"127.0.0.1:{port}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_NoCaller_Returns401EvenWithoutStore()
    {
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options());
        using var http = IngestTestKit.Client(server);

        var (status, _) = await GetAsync(http, null, Query);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    private static async Task<(HttpStatusCode Status, string Message)> GetAsync(HttpClient http, string? token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }

        using var response = await http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.GetProperty("message").GetString() ?? string.Empty);
    }
}
