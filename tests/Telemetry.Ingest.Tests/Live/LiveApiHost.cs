using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Health;
using Telemetry.Ingest.Live;
using Telemetry.Ingest.Sites;

namespace Telemetry.Ingest.Tests.Live;

/// <summary>
/// A minimal real Kestrel host on 127.0.0.1:0 with only the live and health endpoints. The caller comes from the
/// test header `X-Test-Caller: name` (operator) or `name@site` (a site's user); no header is no caller.
/// </summary>
public sealed class LiveApiHost : IAsyncDisposable
{
    public const string CallerHeader = "X-Test-Caller";

    private readonly WebApplication _app;

    private LiveApiHost(WebApplication app, LiveHub hub, MachineHealth health, Uri baseAddress)
    {
        _app = app;
        Hub = hub;
        Health = health;
        BaseAddress = baseAddress;
    }

    public LiveHub Hub { get; }

    public MachineHealth Health { get; }

    public Uri BaseAddress { get; }

    public static async Task<LiveApiHost> StartAsync(LiveOptions? live = null, HealthOptions? health = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var hub = new LiveHub(live ?? new LiveOptions());
        var machineHealth = new MachineHealth(health ?? new HealthOptions(), time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.MapLiveAndHealthApi(hub, machineHealth, Caller, time);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new LiveApiHost(app, hub, machineHealth, new Uri($"http://127.0.0.1:{address.Port}/"));
    }

    public HttpClient Client(string? caller)
    {
        // No draining of an endless event stream on dispose: close the connection at once.
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero };
        var http = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (caller is not null)
        {
            http.DefaultRequestHeaders.Add(CallerHeader, caller);
        }

        return http;
    }

    public async Task<ClientWebSocket> ConnectWebSocketAsync(string? caller, string query = "", CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        if (caller is not null)
        {
            socket.Options.SetRequestHeader(CallerHeader, caller);
        }

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{BaseAddress.Port}/api/live{query}"), cancellationToken);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stop.Token);
        }

        await _app.DisposeAsync();
        Health.Dispose();
    }

    private static IngestCaller? Caller(HttpContext http)
    {
        var text = http.Request.Headers[CallerHeader].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? new IngestCaller(text, null) : new IngestCaller(text, text[(at + 1)..]);
    }
}
