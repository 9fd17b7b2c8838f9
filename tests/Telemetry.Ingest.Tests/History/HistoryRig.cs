using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Telemetry.Core;
using Telemetry.Core.Buffers;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Tests.Fixtures;
using Telemetry.LineProtocol;
using Telemetry.Testing.Peers;

namespace Telemetry.Ingest.Tests.History;

/// <summary>A real store (InfluxDB 1.x or VictoriaMetrics) behind an ingest on a free loopback port, shared by one test class.</summary>
public abstract class HistoryRig : IAsyncLifetime
{
    public IngestServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>An hour ago, whole seconds (back-dated samples start here).</summary>
    public long HourAgoMs { get; } = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000) / 1000 * 1000;

    public abstract StoreKind Kind { get; }

    public async Task InitializeAsync()
    {
        var store = await StartStoreAsync();
        Server = await IngestTestKit.StartAsync(IngestTestKit.Options(store));
        Http = IngestTestKit.Client(Server);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        await StopStoreAsync();
    }

    protected abstract Task<StoreOptions> StartStoreAsync();

    protected abstract Task StopStoreAsync();

    /// <summary>Makes written points searchable (VictoriaMetrics: force_flush).</summary>
    protected virtual Task FlushAsync() => Task.CompletedTask;

    /// <summary>Writes samples through the ingest's write API with a site token (ms precision) and makes them searchable.</summary>
    public async Task WriteAsync(string token, IEnumerable<(AssetPath Path, long Ms, SampleValue Value)> samples)
    {
        using var buffer = new PooledByteBuffer(1 << 16);
        var writer = new LineProtocolWriter(buffer, TimestampPrecision.Milliseconds);
        var encoder = new SampleLineEncoder();
        foreach (var (path, ms, value) in samples)
        {
            encoder.Write(writer, Sample.Create(path, ms * 1_000_000, value, ms * 1_000_000));
        }

        var body = Encoding.UTF8.GetString(buffer.WrittenMemory.Span);
        using var response = await IngestTestKit.WriteV2Async(Http, token, body, precision: "ms");
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"write: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await FlushAsync();
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> HistoryAsync(string? token, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/history?" + query);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>Asks until the answer holds <paramref name="points"/> points in total (a new series takes a moment to be searchable), 30 s at most.</summary>
    public async Task<JsonElement> HistoryUntilAsync(string token, string query, int points)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, body) = await HistoryAsync(token, query);
            Assert.True(status == HttpStatusCode.OK, $"history: {(int)status} {body}");
            var total = 0;
            foreach (var s in body.GetProperty("series").EnumerateArray())
            {
                total += s.GetProperty("points").GetArrayLength();
            }

            if (total >= points || DateTime.UtcNow > deadline)
            {
                return body;
            }

            await FlushAsync();
            await Task.Delay(250);
        }
    }

    public static string Q(string value) => Uri.EscapeDataString(value);
}

public sealed class InfluxHistoryRig : HistoryRig
{
    private InfluxDbPeer? _influx;

    public override StoreKind Kind => StoreKind.InfluxDb1;

    protected override async Task<StoreOptions> StartStoreAsync()
    {
        _influx = await InfluxDbPeer.StartAsync();
        await _influx.CreateDatabaseAsync("telemetry");
        return new StoreOptions { Kind = StoreKind.InfluxDb1, Url = _influx.BaseAddress, Database = "telemetry" };
    }

    protected override async Task StopStoreAsync()
    {
        if (_influx is not null)
        {
            await _influx.DisposeAsync();
        }
    }
}

public sealed class VictoriaHistoryRig : HistoryRig
{
    private VictoriaMetricsPeer? _victoria;

    public override StoreKind Kind => StoreKind.VictoriaMetrics;

    protected override async Task<StoreOptions> StartStoreAsync()
    {
        _victoria = await VictoriaMetricsPeer.StartAsync();
        return new StoreOptions { Kind = StoreKind.VictoriaMetrics, Url = _victoria.BaseAddress };
    }

    protected override Task FlushAsync() => _victoria!.ForceFlushAsync();

    protected override async Task StopStoreAsync()
    {
        if (_victoria is not null)
        {
            await _victoria.DisposeAsync();
        }
    }
}
