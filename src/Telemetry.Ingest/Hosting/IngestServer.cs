using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Telemetry.Dashboard;
using Telemetry.Ingest.Auth;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Diagnostics;
using Telemetry.Ingest.Loss;
using Telemetry.Ingest.Sites;
using Telemetry.Ingest.Stores;
using Telemetry.Ingest.Writing;

namespace Telemetry.Ingest.Hosting;

/// <summary>Hooks for tests and benchmarks: another store, clock or log sink than the options give.</summary>
public sealed record IngestServerSettings
{
    public ILoggerFactory? Loggers { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Replaces the store the options describe (e.g. a gated fake in a unit test).</summary>
    public IPointStore? Store { get; init; }
}

/// <summary>
/// The telemetry-ingest service in one object: Kestrel on the configured addresses (HTTPS with the configured
/// certificate and optional client certificates), the Influx-compatible write API, loss accounting, /health,
/// /metrics and the dashboard. Keeps no state a restart would lose: the edge's request is acknowledged only after
/// the store acknowledged it.
/// </summary>
public sealed class IngestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IngestServices _services;

    private IngestServer(WebApplication app, IngestServices services)
    {
        _app = app;
        _services = services;
    }

    /// <summary>The first address Kestrel listens on (the real port when the options said 0).</summary>
    public Uri BaseAddress => Addresses[0];

    public IReadOnlyList<Uri> Addresses { get; private set; } = [];

    public IngestServices Services => _services;

    public static async Task<IngestServer> StartAsync(IngestOptions options, IngestServerSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        settings ??= new IngestServerSettings();
        var builder = WebApplication.CreateSlimBuilder();
        if (settings.Loggers is { } loggers)
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggers);
        }

        builder.WebHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, options));
        var app = builder.Build();
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        var services = IngestServices.Create(options, settings, loggerFactory);
        app.UseWebSockets();
        app.UseSignInRedirect(services.SignIn);
        IngestEndpoints.Map(app, services);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var server = new IngestServer(app, services);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        server.Addresses = [.. addresses.Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)))];
        return server;
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _services.DisposeAsync().ConfigureAwait(false);
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, IngestOptions options)
    {
        kestrel.AddServerHeader = false;
        // Our own limits answer 413 with a message; Kestrel's would cut the connection earlier without one.
        kestrel.Limits.MaxRequestBodySize = options.Limits.MaxBodyBytes + 1;
        kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(10));
        var certificate = options.Tls is null ? null : TlsCertificates.LoadServerCertificate(options.Tls);
        foreach (var uri in options.Listen)
        {
            var address = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']'));
            kestrel.Listen(address, uri.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                if (uri.Scheme == Uri.UriSchemeHttps)
                {
                    listen.UseHttps(https => TlsCertificates.ConfigureHttps(https, options.Tls!, certificate!));
                }
            });
        }
    }
}
