using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Telemetry.Core;
using Telemetry.Ingest.Configuration;
using static Telemetry.Ingest.Tests.Live.LiveSamples;

namespace Telemetry.Ingest.Tests.Live;

/// <summary>`GET /api/live` over a real Kestrel on 127.0.0.1: server-sent events and WebSocket.</summary>
public sealed class LiveApiTests
{
    private static readonly AssetPath ATemp = Path("plant-a", "cnc-1", "temperature");
    private static readonly AssetPath AState = Path("plant-a", "cnc-1", "state");
    private static readonly AssetPath APress = Path("plant-a", "press-1", "pressure");
    private static readonly AssetPath BTemp = Path("plant-b", "cnc-1", "temperature");

    [Fact]
    public async Task Live_SseSubscriber_ReceivesSamplesInTheEdgeFormat()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client("alice@plant-a");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        host.Hub.Publish("plant-a", [Number(ATemp, 21.5, T0), Text(AState, "running", T0 + 1_000_000)]);

        var (name, data) = await sse.ReadEventAsync(timeout.Token);
        Assert.Equal("samples", name);
        using var json = JsonDocument.Parse(data);
        var first = json.RootElement[0];
        Assert.Equal("plant-a/hall-1/line-1/cnc-1", first.GetProperty("m").GetString());
        Assert.Equal("temperature", first.GetProperty("t").GetString());
        Assert.Equal(21.5, first.GetProperty("v").GetDouble());
        Assert.Equal("good", first.GetProperty("q").GetString());
        Assert.Equal(T0 / 1_000_000, first.GetProperty("ts").GetInt64());
        Assert.Equal(T0 / 1_000_000, first.GetProperty("rt").GetInt64());
        Assert.Equal("running", json.RootElement[1].GetProperty("v").GetString());
    }

    [Fact]
    public async Task Live_WebSocket_ReceivesTheSameJsonAsTextFrames()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var socket = await host.ConnectWebSocketAsync("alice@plant-a", "?machine=cnc-*&tag=temp*", timeout.Token);

        host.Hub.Publish("plant-a", [Number(APress, 1), Number(ATemp, 22, T0)]);

        var (type, text) = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, type);
        using var json = JsonDocument.Parse(text);
        var sample = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("plant-a/hall-1/line-1/cnc-1", sample.GetProperty("m").GetString());
        Assert.Equal(22, sample.GetProperty("v").GetDouble());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        await WaitUntilAsync(() => host.Hub.SubscriberCount == 0, timeout.Token);
    }

    [Fact]
    public async Task Live_SiteACallerWhileBothSitesPublish_NeverReceivesSiteB()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client("alice@plant-a");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.GetAsync("api/live?site=*", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        using var socket = await host.ConnectWebSocketAsync("alice@plant-a", "", timeout.Token);
        var marker = Path("plant-a", "marker", "end");

        var publishers = Enumerable.Range(0, 2).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                host.Hub.Publish(p == 0 ? "plant-a" : "plant-b", [Number(p == 0 ? ATemp : BTemp, i)]);
                host.Hub.Publish("plant-b", [Number(BTemp, -i)]);
                host.Hub.Publish("plant-a", [Number(BTemp, -i)]); // a sample naming another site than its batch
            }
        })).ToArray();
        await Task.WhenAll(publishers);
        host.Hub.Publish("plant-a", [Number(marker, 1)]);

        var viaSse = new List<string>();
        while (!viaSse.Contains("plant-a/hall-1/line-1/marker"))
        {
            var (name, data) = await sse.ReadEventAsync(timeout.Token);
            Assert.Equal("samples", name);
            viaSse.AddRange(Machines(data));
        }

        var viaSocket = new List<string>();
        while (!viaSocket.Contains("plant-a/hall-1/line-1/marker"))
        {
            viaSocket.AddRange(Machines((await ReceiveAsync(socket, timeout.Token)).Text));
        }

        Assert.All(viaSse, m => Assert.StartsWith("plant-a/", m, StringComparison.Ordinal));
        Assert.All(viaSocket, m => Assert.StartsWith("plant-a/", m, StringComparison.Ordinal));
        Assert.Equal(201, viaSse.Count);
        Assert.Equal(201, viaSocket.Count);
    }

    [Fact]
    public async Task Live_OperatorWithSitePattern_ReceivesOnlyThatSite()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client("ops");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync("api/live?site=plant-b", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        host.Hub.Publish("plant-a", [Number(ATemp, 1)]);
        host.Hub.Publish("plant-b", [Number(BTemp, 2)]);

        var (_, data) = await sse.ReadEventAsync(timeout.Token);
        Assert.Equal(["plant-b/hall-1/line-1/cnc-1"], Machines(data));
    }

    [Fact]
    public async Task Live_SiteCallerAskingForAnotherSite_Gets403()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client("alice@plant-a");

        using var response = await http.GetAsync("api/live?site=plant-b");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("plant-a", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, host.Hub.SubscriberCount);
    }

    [Fact]
    public async Task Live_NoCaller_Gets401JsonForSseAndWebSocket()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client(null);

        using var response = await http.GetAsync("api/live");
        var socket = new ClientWebSocket();
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{host.BaseAddress.Port}/api/live"), CancellationToken.None));
        socket.Dispose();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unauthorized", json.RootElement.GetProperty("code").GetString());
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.Hub.SubscriberCount);
    }

    [Fact]
    public async Task Live_BadPattern_Gets400NamingIt()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client("ops");

        using var response = await http.GetAsync("api/live?machine=a,,b");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("a,,b", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_BeyondMaxSubscribers_Gets503WithRetryAfter()
    {
        await using var host = await LiveApiHost.StartAsync(new LiveOptions { MaxSubscribers = 1 });
        using var http = host.Client("ops");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var first = await http.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, timeout.Token);

        using var second = await http.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
    }

    [Fact]
    public async Task Live_IdleStream_SendsHeartbeatComments()
    {
        await using var host = await LiveApiHost.StartAsync(new LiveOptions { Heartbeat = TimeSpan.FromMilliseconds(100) });
        using var http = host.Client("ops");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        Assert.Equal((":", "connected"), await sse.ReadAsync(timeout.Token));
        Assert.Equal((":", "heartbeat"), await sse.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task Live_SlowSubscriber_GetsDroppedNoticeWhilePublishStaysNonBlocking()
    {
        await using var host = await LiveApiHost.StartAsync(new LiveOptions { QueueBatches = 4 });
        using var http = host.Client("alice@plant-a");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await http.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var batch = Batch(ATemp, 500);

        // The client reads nothing yet: the server's stream backs up (socket buffers full), the queue overflows.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 4000; i++)
        {
            host.Hub.Publish("plant-a", batch);
        }

        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"2M samples published in {clock.Elapsed}");
        Assert.Equal(1, host.Hub.SubscriberCount);

        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        long dropped = 0;
        while (dropped == 0)
        {
            var (name, data) = await sse.ReadEventAsync(timeout.Token);
            if (name == "dropped")
            {
                dropped = long.Parse(data, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        Assert.InRange(dropped, 1, 2_000_000);
        Assert.Equal(0, dropped % 500);
    }

    [Fact]
    public async Task Live_BatchLargerThanAFrame_ArrivesSplitInOrder()
    {
        await using var host = await LiveApiHost.StartAsync();
        using var http = host.Client("ops");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var sse = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        host.Hub.Publish("plant-a", Batch(ATemp, 5000));

        var values = new List<double>();
        while (values.Count < 5000)
        {
            var (name, data) = await sse.ReadEventAsync(timeout.Token);
            Assert.Equal("samples", name);
            using var json = JsonDocument.Parse(data);
            Assert.InRange(json.RootElement.GetArrayLength(), 1, 2000);
            values.AddRange(json.RootElement.EnumerateArray().Select(e => e.GetProperty("v").GetDouble()));
        }

        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (double)i), values);
    }

    [Fact]
    public async Task Live_SlowWebSocketSubscriber_GetsDroppedFrame()
    {
        await using var host = await LiveApiHost.StartAsync(new LiveOptions { QueueBatches = 4 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var socket = await host.ConnectWebSocketAsync("alice@plant-a", "", timeout.Token);
        var batch = Batch(ATemp, 500);

        for (var i = 0; i < 4000; i++)
        {
            host.Hub.Publish("plant-a", batch);
        }

        long dropped = 0;
        while (dropped == 0)
        {
            var (_, text) = await ReceiveAsync(socket, timeout.Token);
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                dropped = json.RootElement.GetProperty("dropped").GetInt64();
            }
            else
            {
                Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
            }
        }

        Assert.Equal(0, dropped % 500);
        Assert.InRange(dropped, 500, 2_000_000);
    }

    private static List<string> Machines(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(e => e.GetProperty("m").GetString()!)];
    }

    private static async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, Encoding.UTF8.GetString(message.ToArray()));
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
