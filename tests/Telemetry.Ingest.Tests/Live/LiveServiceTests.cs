using System.Net.Http.Headers;
using System.Text.Json;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Tests.Fixtures;

namespace Telemetry.Ingest.Tests.Live;

/// <summary>
/// The whole ingest service (real Kestrel on 127.0.0.1:0, tokens, write API): what sites write reaches the live
/// stream and `GET /api/machines` of their own dashboards only.
/// </summary>
public sealed class LiveServiceTests : IAsyncLifetime
{
    private IngestServer _server = null!;

    public async Task InitializeAsync() => _server = await IngestTestKit.StartAsync(IngestTestKit.Options(), new RecordingStore());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Write_BothSitesWhileSiteADashboardListens_SiteASeesOnlyItsOwnPoints()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero };
        using var dashboard = new HttpClient(handler) { BaseAddress = _server.BaseAddress };
        using var writer = IngestTestKit.Client(_server);

        // The browser's EventSource cannot set headers: the token comes in the query.
        using var stream = await dashboard.GetAsync($"api/live?token={IngestTestKit.TokenA}", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.True(stream.IsSuccessStatusCode, stream.StatusCode.ToString());
        using var sse = new SseReader(await stream.Content.ReadAsStreamAsync(timeout.Token));

        for (var i = 1; i <= 20; i++)
        {
            using var a = await IngestTestKit.WriteV2Async(writer, IngestTestKit.TokenA, $"machine,site=plant-a,machine=cnc-1 temperature={i} {1_700_000_000_000_000_000L + i}\n");
            using var b = await IngestTestKit.WriteV2Async(writer, IngestTestKit.TokenB, $"machine,site=plant-b,machine=cnc-9 temperature={-i} {1_700_000_000_000_000_000L + i}\n");
            Assert.True(a.IsSuccessStatusCode && b.IsSuccessStatusCode, $"{a.StatusCode} {b.StatusCode}");
        }

        var values = new List<double>();
        while (values.Count < 20)
        {
            var (name, data) = await sse.ReadEventAsync(timeout.Token);
            Assert.Equal("samples", name);
            using var json = JsonDocument.Parse(data);
            foreach (var sample in json.RootElement.EnumerateArray())
            {
                Assert.StartsWith("plant-a/", sample.GetProperty("m").GetString(), StringComparison.Ordinal);
                values.Add(sample.GetProperty("v").GetDouble());
            }
        }

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (double)i), values);

        using var machinesRequest = new HttpRequestMessage(HttpMethod.Get, "api/machines");
        machinesRequest.Headers.Authorization = new AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
        using var machines = await dashboard.SendAsync(machinesRequest, timeout.Token);
        using var snapshot = JsonDocument.Parse(await machines.Content.ReadAsStringAsync(timeout.Token));
        var machine = Assert.Single(snapshot.RootElement.GetProperty("machines").EnumerateArray());
        Assert.Equal("plant-a", machine.GetProperty("site").GetString());
        Assert.Equal("cnc-1", machine.GetProperty("machine").GetString());
    }
}
