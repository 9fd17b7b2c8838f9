using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Telemetry.Ingest.Tests.Fixtures;
using Telemetry.Ingest.Tests.Live;

namespace Telemetry.Ingest.Tests.Hosting;

/// <summary>The live and machine APIs of the whole service, fed by its own write API and site tokens.</summary>
public sealed class IngestLiveWiringTests
{
    [Fact]
    public async Task Write_SiteAAndSiteB_SiteASubscriberAndMachinesSeeOnlySiteA()
    {
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options());
        using var http = IngestTestKit.Client(server);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var live = new HttpRequestMessage(HttpMethod.Get, "api/live");
        live.Headers.Authorization = new AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
        using var stream = await http.SendAsync(live, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var sse = new SseReader(await stream.Content.ReadAsStreamAsync(timeout.Token));

        for (var i = 0; i < 20; i++)
        {
            using var b = await IngestTestKit.WriteV2Async(http, IngestTestKit.TokenB, $"machine,machine=press-b,site=plant-b temp={i} {1_000 + i}\n");
            Assert.Equal(HttpStatusCode.NoContent, b.StatusCode);
            using var a = await IngestTestKit.WriteV2Async(http, IngestTestKit.TokenA, $"machine,area=hall,line=l1,machine=mill-a,site=plant-a temp={i} {1_000 + i}\n");
            Assert.Equal(HttpStatusCode.NoContent, a.StatusCode);
        }

        var seen = new List<(string Machine, double Value)>();
        while (seen.Count < 20)
        {
            var (name, data) = await sse.ReadEventAsync(timeout.Token);
            if (name != "samples")
            {
                continue;
            }

            foreach (var s in JsonDocument.Parse(data).RootElement.EnumerateArray())
            {
                seen.Add((s.GetProperty("m").GetString()!, s.GetProperty("v").GetDouble()));
            }
        }

        Assert.All(seen, s => Assert.Equal("plant-a/hall/l1/mill-a", s.Machine));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (double)i), seen.Select(s => s.Value));

        using var machinesRequest = new HttpRequestMessage(HttpMethod.Get, "api/machines");
        machinesRequest.Headers.Authorization = new AuthenticationHeaderValue("Token", IngestTestKit.TokenA);
        using var machines = await http.SendAsync(machinesRequest, timeout.Token);
        var list = JsonDocument.Parse(await machines.Content.ReadAsStringAsync(timeout.Token)).RootElement.GetProperty("machines");
        Assert.Equal("plant-a", Assert.Single(list.EnumerateArray()).GetProperty("site").GetString());

        using var operatorRequest = new HttpRequestMessage(HttpMethod.Get, "api/machines");
        operatorRequest.Headers.Authorization = new AuthenticationHeaderValue("Token", IngestTestKit.OperatorToken);
        using var all = await http.SendAsync(operatorRequest, timeout.Token);
        Assert.Equal(2, JsonDocument.Parse(await all.Content.ReadAsStringAsync(timeout.Token)).RootElement.GetProperty("machines").GetArrayLength());
    }

    [Fact]
    public async Task Live_NoToken_401()
    {
        await using var server = await IngestTestKit.StartAsync(IngestTestKit.Options());
        using var http = IngestTestKit.Client(server);

        using var response = await http.GetAsync("api/live");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
