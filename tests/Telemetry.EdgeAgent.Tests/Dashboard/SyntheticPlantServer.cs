using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telemetry.Dashboard;
using Telemetry.Testing;

namespace Telemetry.EdgeAgent.Tests.Dashboard;

/// <summary>An alert of the synthetic plant (the ingest's alert shape).</summary>
public sealed record SyntheticAlert(long Id, string Machine, string Severity, string Message, long Since, long? Ended)
{
    public string? AcknowledgedBy { get; set; }

    public long? AcknowledgedAt { get; set; }
}

/// <summary>
/// The real dashboard assets (Telemetry.Dashboard) served with a synthetic plant behind the APIs the page calls, in the
/// shapes the edge and the ingest answer: N machines × M tags, every tag updated once per period over /api/live
/// (server-sent events of at most 2,000 samples, as the edge sends them), alerts with acknowledgement, availability,
/// sources and history. For the page's load test and for page behaviour the demo plant cannot show (alerts).
/// </summary>
public sealed class SyntheticPlantServer : IAsyncDisposable
{
    public const string Site = "plant-syn";
    public const string AcknowledgedByName = "site:plant-syn";

    private readonly WebApplication _app;
    private readonly List<SyntheticAlert> _alerts = [];
    private long _acknowledgements;
    private long _eventsSent;

    private SyntheticPlantServer(WebApplication app, int machines, int tags, TimeSpan period, Uri baseAddress)
    {
        _app = app;
        MachineCount = machines;
        TagCount = tags;
        Period = period;
        BaseAddress = baseAddress;
    }

    public int MachineCount { get; }

    public int TagCount { get; }

    public TimeSpan Period { get; }

    public Uri BaseAddress { get; }

    public long Acknowledgements => Interlocked.Read(ref _acknowledgements);

    public long EventsSent => Interlocked.Read(ref _eventsSent);

    /// <summary>Machine i's key: 5 areas, 4 lines each.</summary>
    public static string MachineKey(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"{Site}/area-{i % 5}/line-{i / 5 % 4}/m-{i:000}");

    public static string TagName(int j) => j switch
    {
        0 => "state",
        1 => "alarm_code",
        _ => string.Create(CultureInfo.InvariantCulture, $"value_{j - 1:00}"),
    };

    public static async Task<SyntheticPlantServer> StartAsync(int machines, int tagsPerMachine, TimeSpan period, IReadOnlyList<SyntheticAlert>? alerts = null)
    {
        var port = FreePort.Get();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var server = new SyntheticPlantServer(app, machines, tagsPerMachine, period, new Uri($"http://127.0.0.1:{port}/"));
        server._alerts.AddRange(alerts ?? []);
        app.MapDashboard();
        app.MapGet("/api/machines", server.MachinesAsync);
        app.MapGet("/api/live", server.LiveAsync);
        app.MapGet("/api/alerts", server.AlertsAsync);
        app.MapPost("/api/alerts/{id}/ack", server.AcknowledgeAsync);
        app.MapGet("/api/availability", (HttpContext http) => WriteAsync(http, 200, w =>
        {
            var now = NowMs();
            w.WriteString("machine", http.Request.Query["machine"].ToString());
            w.WriteNumber("from", now - 3_600_000);
            w.WriteNumber("to", now);
            w.WriteNumber("observedFrom", now - 3_600_000);
            w.WriteNumber("plannedMs", 3_600_000);
            w.WriteNumber("runningMs", 3_000_000);
            w.WriteNumber("faultMs", 300_000);
            w.WriteNumber("faults", 2);
            w.WriteNumber("availability", 0.8333);
            w.WriteNumber("mtbfMs", 1_500_000);
            w.WriteNumber("mttrMs", 150_000);
            w.WriteStartArray("changes");
            w.WriteEndArray();
        }));
        app.MapGet("/api/sources", async (HttpContext http) =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(
                $"[{{\"name\":\"plc-1\",\"kind\":\"opcua\",\"state\":\"connected\",\"samples\":1,\"lastSample\":{NowMs()},\"lastError\":null}}]",
                http.RequestAborted);
        });
        app.MapGet("/api/history", (HttpContext http) => WriteAsync(http, 200, w =>
        {
            w.WriteBoolean("available", false);
            w.WriteString("message", "synthetic plant: no history");
            w.WriteStartArray("series");
            w.WriteEndArray();
        }));
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string StateOf(int machine, long second) =>
        (((second / 30) + machine) % 10) switch
        {
            0 => "fault",
            1 or 2 => "idle",
            3 => "setup",
            _ => "running",
        };

    private Task MachinesAsync(HttpContext http) => WriteAsync(http, 200, w =>
    {
        var now = NowMs();
        w.WriteNumber("now", now);
        w.WriteNumber("staleAfterMs", 10_000);
        w.WriteStartArray("machines");
        for (var i = 0; i < MachineCount; i++)
        {
            var key = MachineKey(i);
            var parts = key.Split('/');
            w.WriteStartObject();
            w.WriteString("key", key);
            w.WriteString("site", parts[0]);
            w.WriteString("area", parts[1]);
            w.WriteString("line", parts[2]);
            w.WriteString("machine", parts[3]);
            w.WriteString("state", StateOf(i, now / 1000));
            w.WriteNumber("stateSince", now - 5_000);
            w.WriteNumber("alarmCode", 0);
            w.WriteNumber("lastSeen", now);
            w.WriteStartArray("tags");
            for (var j = 0; j < TagCount; j++)
            {
                w.WriteStartObject();
                w.WriteString("tag", TagName(j));
                WriteValue(w, "value", i, j, now);
                w.WriteString("quality", "good");
                w.WriteNumber("time", now);
                w.WriteNumber("received", now);
                w.WriteNull("staleSince");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static void WriteValue(Utf8JsonWriter w, string name, int machine, int tag, long nowMs)
    {
        if (tag == 0)
        {
            w.WriteString(name, StateOf(machine, nowMs / 1000));
        }
        else if (tag == 1)
        {
            w.WriteNumber(name, StateOf(machine, nowMs / 1000) == "fault" ? 100 + machine : 0);
        }
        else
        {
            w.WriteNumber(name, Math.Round(50 + (40 * Math.Sin((nowMs / 5000.0) + machine + tag)), 2));
        }
    }

    /// <summary>Every tag of every machine once per period, in events of at most 2,000 samples.</summary>
    private async Task LiveAsync(HttpContext http)
    {
        var lifetime = http.RequestServices.GetService(typeof(IHostApplicationLifetime)) as IHostApplicationLifetime;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime?.ApplicationStopping ?? CancellationToken.None);
        var cancellationToken = stop.Token;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.WriteAsync(": connected\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        var round = 0L;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = NowMs();
                var total = MachineCount * TagCount;
                for (var start = 0; start < total; start += 2000)
                {
                    WriteEvent(response, start, Math.Min(2000, total - start), now);
                    await response.BodyWriter.FlushAsync(cancellationToken);
                    Interlocked.Increment(ref _eventsSent);
                }

                round++;
                var next = TimeSpan.FromTicks(Period.Ticks * round) - clock.Elapsed;
                if (next > TimeSpan.Zero)
                {
                    await Task.Delay(next, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the page went away or the server stops
        }
    }

    /// <summary>One `samples` event: samples start..start+count-1 in machine-major order.</summary>
    private void WriteEvent(HttpResponse response, int start, int count, long now)
    {
        response.BodyWriter.Write("event: samples\ndata: "u8);
        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartArray();
            for (var k = start; k < start + count; k++)
            {
                var (i, j) = (k / TagCount, k % TagCount);
                writer.WriteStartObject();
                writer.WriteString("m", MachineKey(i));
                writer.WriteString("t", TagName(j));
                WriteValue(writer, "v", i, j, now);
                writer.WriteString("q", "good");
                writer.WriteNumber("ts", now);
                writer.WriteNumber("rt", now);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        response.BodyWriter.Write("\n\n"u8);
    }

    private Task AlertsAsync(HttpContext http) => WriteAsync(http, 200, w =>
    {
        w.WriteNumber("now", NowMs());
        w.WriteStartArray("alerts");
        lock (_alerts)
        {
            foreach (var a in _alerts)
            {
                WriteAlert(w, a);
            }
        }

        w.WriteEndArray();
    });

    private Task AcknowledgeAsync(HttpContext http)
    {
        var id = long.Parse(http.Request.RouteValues["id"] as string ?? "0", CultureInfo.InvariantCulture);
        SyntheticAlert? alert;
        lock (_alerts)
        {
            alert = _alerts.Find(a => a.Id == id);
            if (alert is not null && alert.AcknowledgedBy is null)
            {
                alert.AcknowledgedBy = AcknowledgedByName;
                alert.AcknowledgedAt = NowMs();
                Interlocked.Increment(ref _acknowledgements);
            }
        }

        return alert is null
            ? WriteAsync(http, 404, w => { w.WriteString("code", "not found"); w.WriteString("message", $"no alert '{id}'"); })
            : WriteAsync(http, 200, w => WriteAlertBody(w, alert));
    }

    private static void WriteAlert(Utf8JsonWriter w, SyntheticAlert a)
    {
        w.WriteStartObject();
        WriteAlertBody(w, a);
        w.WriteEndObject();
    }

    private static void WriteAlertBody(Utf8JsonWriter w, SyntheticAlert a)
    {
        w.WriteNumber("id", a.Id);
        w.WriteString("site", Site);
        w.WriteString("machine", a.Machine);
        w.WriteString("name", a.Machine.Split('/')[^1]);
        w.WriteString("rule", "rule");
        w.WriteString("tag", "value_01");
        w.WriteString("severity", a.Severity);
        w.WriteString("message", a.Message);
        w.WriteNull("value");
        w.WriteNumber("since", a.Since);
        if (a.Ended is { } ended)
        {
            w.WriteNumber("ended", ended);
        }
        else
        {
            w.WriteNull("ended");
        }

        w.WriteBoolean("active", a.Ended is null);
        w.WriteString("acknowledgedBy", a.AcknowledgedBy);
        if (a.AcknowledgedAt is { } at)
        {
            w.WriteNumber("acknowledgedAt", at);
        }
        else
        {
            w.WriteNull("acknowledgedAt");
        }
    }

    private static async Task WriteAsync(HttpContext http, int status, Action<Utf8JsonWriter> body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }
}
