using System.Globalization;
using System.Net;
using System.Text.Json;
using Telemetry.Edge.Configuration;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>
/// `telemetry-edge status`: asks the running agent (its local API) how it is: datacenter link, spool backlog, and
/// each source's state and rate (two readings a second apart).
/// </summary>
public static class StatusCommand
{
    public const int NotRunning = 3;

    public static async Task<int> RunAsync(CommandOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var baseUri = ResolveBaseUri(options.GetString("url"), options.GetString("config"));
        var interval = TimeSpan.FromSeconds(options.GetDouble("interval", 1, 0.1, 60));
        options.EnsureAllUsed("status");
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(5) };
        JsonElement first;
        try
        {
            first = await GetAsync(http, cancellationToken);
            await Task.Delay(interval, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            output.WriteLine($"telemetry-edge is not answering on {baseUri} ({ex.Message}).");
            output.WriteLine("Is it running? systemctl status telemetry-edge; journalctl -u telemetry-edge -n 50");
            return NotRunning;
        }

        var now = await GetAsync(http, cancellationToken);
        Print(output, first, now, interval);
        return CommandLine.Ok;
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, CancellationToken cancellationToken)
    {
        await using var body = await http.GetStreamAsync(new Uri("api/edge", UriKind.Relative), cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        return document.RootElement.Clone();
    }

    /// <summary>--url wins; else the config's web.listen (any-address becomes loopback); else 127.0.0.1:8080.</summary>
    private static Uri ResolveBaseUri(string? url, string? configPath)
    {
        if (url is not null)
        {
            return Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var given)
                ? given
                : throw new CommandLineException($"--url '{url}' is not an absolute URL such as http://127.0.0.1:8080.");
        }

        var path = configPath ?? ConfigCommands.DefaultConfigPath;
        IPEndPoint listen = new(IPAddress.Loopback, 8080);
        if (configPath is not null || File.Exists(path))
        {
            listen = EdgeConfigLoader.LoadFile(path).WebListen;
        }

        var address = listen.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : listen.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : listen.Address;
        return new Uri($"http://{new IPEndPoint(address, listen.Port)}/");
    }

    private static void Print(TextWriter o, JsonElement before, JsonElement now, TimeSpan interval)
    {
        var ci = CultureInfo.InvariantCulture;
        var started = now.GetProperty("startedAt").GetDateTimeOffset();
        o.WriteLine($"telemetry-edge {now.GetProperty("version").GetString()} — edge {now.GetProperty("edgeId").GetString()}, site {now.GetProperty("site").GetString()}, up {Duration(DateTimeOffset.UtcNow - started)}");
        var written = now.GetProperty("samplesWritten").GetInt64();
        var rate = (written - before.GetProperty("samplesWritten").GetInt64()) / interval.TotalSeconds;
        o.WriteLine(string.Create(ci, $"collecting  {rate:0.#} samples/s, {written:N0} since start"));

        var dc = now.GetProperty("datacenter");
        var state = dc.GetProperty("state").GetString();
        if (state == "not configured")
        {
            o.WriteLine("datacenter  not configured (buffering only)");
        }
        else
        {
            var delivered = dc.GetProperty("deliveredSamples").GetInt64();
            var deliveryRate = (delivered - (before.GetProperty("datacenter").TryGetProperty("deliveredSamples", out var d) ? d.GetInt64() : delivered)) / interval.TotalSeconds;
            o.WriteLine(string.Create(ci, $"datacenter  {state}  {dc.GetProperty("url").GetString()}  {deliveryRate:0.#} samples/s, {delivered:N0} delivered, {dc.GetProperty("rejectedSamples").GetInt64():N0} rejected, {dc.GetProperty("failedAttempts").GetInt64():N0} failed attempts"));
            if (dc.TryGetProperty("lastError", out var error))
            {
                o.WriteLine($"            last error: {error.GetString()}");
            }
        }

        var spool = now.GetProperty("spool");
        o.WriteLine(string.Create(ci, $"spool       backlog {spool.GetProperty("backlogSamples").GetInt64():N0} samples ({Bytes(spool.GetProperty("backlogBytes").GetInt64())}), oldest undelivered {spool.GetProperty("oldestUnacknowledgedSeconds").GetDouble():0} s, disk {Bytes(spool.GetProperty("diskBytes").GetInt64())}, dropped {spool.GetProperty("samplesDropped").GetInt64():N0}{(spool.GetProperty("faulted").GetBoolean() ? ", FAULTED (disk error: see the log)" : string.Empty)}"));
        if (spool.TryGetProperty("recentDrops", out var drops) && drops.GetArrayLength() > 0)
        {
            var spans = drops.EnumerateArray().Where(d => d.TryGetProperty("firstSourceTime", out _)).ToList();
            var span = spans.Count == 0 ? string.Empty
                : string.Create(ci, $", source time {spans.Min(d => d.GetProperty("firstSourceTime").GetDateTimeOffset()).UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} .. {spans.Max(d => d.GetProperty("lastSourceTime").GetDateTimeOffset()).UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} UTC");
            o.WriteLine(string.Create(ci, $"            disk budget full: the last {drops.GetArrayLength()} dropped segment(s) held {drops.EnumerateArray().Sum(d => d.GetProperty("samples").GetInt64()):N0} undelivered samples{span}"));
        }

        o.WriteLine();
        o.WriteLine($"{"SOURCE",-24} {"KIND",-10} {"STATE",-13} {"RATE/S",8} {"SAMPLES",12}  LAST SAMPLE");
        var previous = before.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("samples").GetInt64());
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var s in now.GetProperty("sources").EnumerateArray())
        {
            var name = s.GetProperty("name").GetString()!;
            var samples = s.GetProperty("samples").GetInt64();
            var sourceRate = (samples - previous.GetValueOrDefault(name, samples)) / interval.TotalSeconds;
            var last = s.GetProperty("lastSample").GetInt64();
            var lastText = last == 0 ? "never" : $"{Duration(TimeSpan.FromMilliseconds(nowMs - last))} ago";
            o.WriteLine(string.Create(ci, $"{name,-24} {s.GetProperty("kind").GetString(),-10} {s.GetProperty("state").GetString(),-13} {sourceRate,8:0.#} {samples,12:N0}  {lastText}"));
            if (s.TryGetProperty("lastError", out var error))
            {
                o.WriteLine($"  last error: {error.GetString()}");
            }
        }
    }

    private static string Duration(TimeSpan t) =>
        t.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, t.TotalSeconds):0.#} s")
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s"
        : t.TotalDays < 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m"
        : $"{(int)t.TotalDays}d{t.Hours:00}h";

    private static string Bytes(long b) =>
        b < 1024 ? $"{b} B"
        : b < 1 << 20 ? string.Create(CultureInfo.InvariantCulture, $"{b / 1024.0:0.#} KiB")
        : b < 1L << 30 ? string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:0.#} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{b / 1073741824.0:0.##} GiB");
}
