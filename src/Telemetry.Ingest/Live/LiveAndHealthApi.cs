using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Telemetry.Core;
using Telemetry.Dashboard.Availability;
using Telemetry.Ingest.Health;
using Telemetry.Ingest.Sites;

namespace Telemetry.Ingest.Live;

/// <summary>
/// The dashboards' read API: `GET /api/live` (server-sent events, or a WebSocket on the same path), `GET /api/machines`,
/// `GET /api/alerts?state=active|all`, `POST /api/alerts/{id}/ack`, `GET /api/availability?machine=KEY` (today's
/// availability, MTBF, MTTR from the machine's state changes) and `GET /api/sources` (an empty list: the sources'
/// link status is the edge's to show). Every answer is limited to what the caller may
/// see: a site's caller gets its own site only (asking for another is 403), an operator every site. No caller is
/// 401. WebSocket requests need `app.UseWebSockets()` before the endpoints. Errors are `{"code","message"}` JSON.
/// </summary>
public static class LiveAndHealthApi
{
    public static IEndpointRouteBuilder MapLiveAndHealthApi(
        this IEndpointRouteBuilder endpoints,
        LiveHub hub,
        MachineHealth health,
        Func<HttpContext, IngestCaller?> caller,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(time);

        endpoints.MapGet("/api/live", http => LiveAsync(http, hub, caller));
        endpoints.MapGet("/api/machines", http => MachinesAsync(http, health, caller, time));
        endpoints.MapGet("/api/alerts", http => AlertsAsync(http, health, caller, time));
        endpoints.MapPost("/api/alerts/{id}/ack", http => AcknowledgeAsync(http, health, caller));
        endpoints.MapGet("/api/availability", http => AvailabilityAsync(http, health, caller, time));
        endpoints.MapGet("/api/sources", http => SourcesAsync(http, caller));
        return endpoints;
    }

    private static async Task LiveAsync(HttpContext http, LiveHub hub, Func<HttpContext, IngestCaller?> caller)
    {
        if (!TryAuthorize(http, caller, out _, out var site, out var refusal))
        {
            await refusal.ConfigureAwait(false);
            return;
        }

        LiveFilter filter;
        try
        {
            var query = http.Request.Query;
            filter = new LiveFilter(
                site is not null ? GlobPattern.Exactly(site) : GlobPattern.Parse(query["site"]),
                GlobPattern.Parse(query["machine"]),
                GlobPattern.Parse(query["tag"]));
        }
        catch (FormatException ex)
        {
            await ApiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid", $"query: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (!hub.TrySubscribe(filter, out var subscription))
        {
            http.Response.Headers.RetryAfter = "5";
            await ApiErrors.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "unavailable",
                $"the live hub has its maximum of {hub.Options.MaxSubscribers} subscribers (live.maxSubscribers); retry later.").ConfigureAwait(false);
            return;
        }

        using (subscription)
        {
            if (http.WebSockets.IsWebSocketRequest)
            {
                await StreamWebSocketAsync(http, subscription, hub.Options.Heartbeat).ConfigureAwait(false);
            }
            else
            {
                await StreamEventsAsync(http, subscription, hub.Options.Heartbeat).ConfigureAwait(false);
            }
        }
    }

    private static async Task StreamEventsAsync(HttpContext http, LiveSubscription subscription, TimeSpan heartbeat)
    {
        var cancellationToken = http.RequestAborted;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            response.BodyWriter.Write(": connected\n\n"u8);
            await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
            using var sink = new SseFrameSink(response.BodyWriter);
            await LiveStreamPump.RunAsync(subscription, sink, heartbeat, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the page went away
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
            // the connection broke while a frame was written
        }
    }

    private static async Task StreamWebSocketAsync(HttpContext http, LiveSubscription subscription, TimeSpan heartbeat)
    {
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = heartbeat }).ConfigureAwait(false);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var receiving = ReceiveUntilClosedAsync(socket, closed);
        try
        {
            using var sink = new WebSocketFrameSink(socket);
            await LiveStreamPump.RunAsync(subscription, sink, heartbeat, closed.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException || (ex is OperationCanceledException && closed.IsCancellationRequested))
        {
            // the client closed or the connection broke
        }
        finally
        {
            await closed.CancelAsync().ConfigureAwait(false);
            await receiving.ConfigureAwait(false);
        }

        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // nothing more to say to a client that is gone
            }
        }
    }

    /// <summary>The client sends nothing we use; reading sees its close (or a broken connection) and stops the stream.</summary>
    private static async Task ReceiveUntilClosedAsync(WebSocket socket, CancellationTokenSource closed)
    {
        var buffer = new byte[1024];
        try
        {
            while (!closed.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), closed.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // closed by us, or the connection broke
        }
        finally
        {
            await closed.CancelAsync().ConfigureAwait(false);
        }
    }

    private static async Task MachinesAsync(HttpContext http, MachineHealth health, Func<HttpContext, IngestCaller?> caller, TimeProvider time)
    {
        if (!TryAuthorize(http, caller, out _, out var site, out var refusal))
        {
            await refusal.ConfigureAwait(false);
            return;
        }

        site ??= NonEmpty(http.Request.Query["site"]);
        var machines = health.Snapshot(site);
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            HealthJson.WriteMachines(writer, machines, UnixTime.Now(time), health.Options.StaleAfter);
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task AlertsAsync(HttpContext http, MachineHealth health, Func<HttpContext, IngestCaller?> caller, TimeProvider time)
    {
        if (!TryAuthorize(http, caller, out _, out var site, out var refusal))
        {
            await refusal.ConfigureAwait(false);
            return;
        }

        var state = NonEmpty(http.Request.Query["state"]) ?? "active";
        if (state is not ("active" or "all"))
        {
            await ApiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid", $"query state='{state}': use state=active or state=all.").ConfigureAwait(false);
            return;
        }

        site ??= NonEmpty(http.Request.Query["site"]);
        var alerts = health.Alerts(site, includeEnded: state == "all");
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            HealthJson.WriteAlerts(writer, alerts, UnixTime.Now(time));
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task AcknowledgeAsync(HttpContext http, MachineHealth health, Func<HttpContext, IngestCaller?> caller)
    {
        if (!TryAuthorize(http, caller, out var who, out _, out var refusal))
        {
            await refusal.ConfigureAwait(false);
            return;
        }

        var text = http.Request.RouteValues["id"] as string;
        var alert = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? health.Acknowledge(id, who.Name, who.Site)
            : null;
        if (alert is null)
        {
            await ApiErrors.WriteAsync(http, StatusCodes.Status404NotFound, "not found", $"no alert '{text}' (it may have left the history).").ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            HealthJson.WriteAlert(writer, alert);
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task AvailabilityAsync(HttpContext http, MachineHealth health, Func<HttpContext, IngestCaller?> caller, TimeProvider time)
    {
        if (!TryAuthorize(http, caller, out var who, out var site, out var refusal))
        {
            await refusal.ConfigureAwait(false);
            return;
        }

        var machine = NonEmpty(http.Request.Query["machine"]);
        if (machine is null)
        {
            await ApiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid", "query 'machine' is missing: use /api/availability?machine=site/area/line/machine (a key of /api/machines).").ConfigureAwait(false);
            return;
        }

        var slash = machine.IndexOf('/', StringComparison.Ordinal);
        if (site is not null && (slash < 0 || !machine.AsSpan(0, slash).SequenceEqual(site)))
        {
            await ApiErrors.WriteAsync(http, StatusCodes.Status403Forbidden, "forbidden", $"'{who.Name}' may see site '{site}' only; machine '{machine}' is not in it.").ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        var nowNs = UnixTime.FromDateTimeOffset(now);
        var startNs = Math.Min(AvailabilityCalculator.StartOfDayNs(now, time.LocalTimeZone), nowNs);
        var changes = health.States.Changes(machine);
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            AvailabilityJson.Write(writer, machine, AvailabilityCalculator.Compute(changes, startNs, nowNs), changes);
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task SourcesAsync(HttpContext http, Func<HttpContext, IngestCaller?> caller)
    {
        if (!TryAuthorize(http, caller, out _, out _, out var refusal))
        {
            await refusal.ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync("[]", http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The caller, and the site its answers are limited to (null: an operator, every site). False with the refusal
    /// being written: 401 without a caller, 403 when a site's caller names another site in `?site=`.
    /// </summary>
    private static bool TryAuthorize(HttpContext http, Func<HttpContext, IngestCaller?> caller, out IngestCaller who, out string? site, out Task refusal)
    {
        var found = caller(http);
        if (found is null)
        {
            (who, site) = (null!, null);
            refusal = ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, "unauthorized", "sign in or send a token (Authorization: Token …) to read live data.");
            return false;
        }

        who = found;
        site = found.Site;
        var asked = NonEmpty(http.Request.Query["site"]);
        if (site is not null && asked is not null && !SafeMatch(asked, site))
        {
            refusal = ApiErrors.WriteAsync(http, StatusCodes.Status403Forbidden, "forbidden", $"'{found.Name}' may see site '{site}' only, not '{asked}'.");
            return false;
        }

        refusal = Task.CompletedTask;
        return true;
    }

    private static bool SafeMatch(string pattern, string site)
    {
        try
        {
            return GlobPattern.Parse(pattern).IsMatch(site);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
