using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telemetry.Core;
using Telemetry.Dashboard;
using Telemetry.Edge.Api;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.Forwarding;
using Telemetry.Edge.Live;
using Telemetry.Edge.Pipeline;
using Telemetry.Storage;

namespace Telemetry.Edge.Hosting;

/// <summary>
/// One running edge agent: the spool (opened and recovered first), the pipeline every source writes into, the
/// forwarder (when a datacenter is configured), the sources, and the local web server (live page and API).
/// Stopping drains in that order: web and sources stop, the forwarder finishes its in-flight requests, the spool
/// closes with everything acknowledged so far checkpointed.
/// </summary>
public sealed class EdgeRuntime : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Spool _spool;

    private EdgeRuntime(WebApplication app, Spool spool, EdgePipeline pipeline, Forwarder? forwarder)
    {
        _app = app;
        _spool = spool;
        Pipeline = pipeline;
        Forwarder = forwarder;
    }

    public EdgePipeline Pipeline { get; }

    public Forwarder? Forwarder { get; }

    public Spool Spool => _spool;

    public IServiceProvider Services => _app.Services;

    /// <summary>The address the live page listens on (the real port when 0 was configured).</summary>
    public Uri? Address =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } a
            ? new Uri(a)
            : null;

    /// <param name="configureApp">Extra endpoints (e.g. the demo's simulator controls).</param>
    public static async Task<EdgeRuntime> StartAsync(
        EdgeConfig config,
        IReadOnlyList<ISampleSource> sources,
        Action<WebApplication>? configureApp = null,
        Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sources);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        builder.WebHost.ConfigureKestrel(k => k.Listen(config.WebListen));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        // The spool first: recovery happens before any source runs.
        using var bootLoggers = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true));
        var spool = await Spool.OpenAsync(
            new SpoolOptions(config.SpoolDirectory)
            {
                DiskBudgetBytes = config.Spool.MaxDiskBytes,
                FullPolicy = config.Spool.WhenFull,
                SegmentBytes = config.Spool.SegmentBytes,
            },
            bootLoggers.CreateLogger("Telemetry.Storage.Spool"),
            cancellationToken).ConfigureAwait(false);
        try
        {
            var pipeline = new EdgePipeline(spool, new LiveView(), new LiveFeed());
            Forwarder? forwarder = null;
            builder.Services.AddSingleton<IHostedService>(sp =>
                new SourceRunner(sources, pipeline, sp.GetRequiredService<ILogger<SourceRunner>>()));
            if (config.Datacenter is { } datacenter)
            {
                builder.Services.AddSingleton<IHostedService>(sp =>
                    forwarder = new Forwarder(spool, datacenter, sp.GetRequiredService<ILogger<Forwarder>>()));
            }

            var app = builder.Build();
            app.MapDashboard();
            app.MapEdgeApi(new EdgeApiContext(pipeline, sources, TimeProvider.System));
            app.MapGet("/api/edge", (HttpResponse response) => WriteEdgeStatusAsync(response, config, spool, forwarder));
            configureApp?.Invoke(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new EdgeRuntime(app, spool, pipeline, forwarder);
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _spool.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>`GET /api/edge`: this agent, its spool backlog and its datacenter link.</summary>
    private static async Task WriteEdgeStatusAsync(HttpResponse response, EdgeConfig config, Spool spool, Forwarder? forwarder)
    {
        var stats = spool.GetStatistics();
        response.ContentType = "application/json";
        using (var w = new Utf8JsonWriter(response.BodyWriter))
        {
            w.WriteStartObject();
            w.WriteString("edgeId", config.EdgeId);
            w.WriteString("site", config.Site);
            w.WriteStartObject("spool");
            w.WriteNumber("backlogSamples", stats.BacklogSamples);
            w.WriteNumber("backlogBytes", stats.BacklogBytes);
            w.WriteNumber("oldestUnacknowledgedSeconds", stats.OldestUnacknowledgedAge?.TotalSeconds ?? 0);
            w.WriteNumber("diskBytes", stats.DiskBytes);
            w.WriteNumber("samplesDropped", stats.SamplesDropped);
            w.WriteNumber("recordsCutAtRecovery", stats.RecordsCutAtRecovery);
            w.WriteBoolean("faulted", stats.IsFaulted);
            w.WriteEndObject();
            w.WriteStartObject("datacenter");
            if (forwarder is null)
            {
                w.WriteString("state", "not configured");
            }
            else
            {
                var s = forwarder.Status;
                w.WriteString("state", s.State.ToString().ToLowerInvariant());
                w.WriteString("url", config.Datacenter!.BaseUri.ToString());
                w.WriteNumber("deliveredSamples", s.DeliveredSamples);
                w.WriteNumber("rejectedSamples", s.RejectedSamples);
                w.WriteNumber("failedAttempts", s.FailedAttempts);
                if (s.LastError is { } error)
                {
                    w.WriteString("lastError", error);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }
}
