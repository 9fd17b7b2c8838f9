using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
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

/// <summary>Builds the source a config entry describes (the agent knows every source type; this library does not).</summary>
public delegate ISampleSource SourceBuilder(EdgeConfig config, SourceConfig source, ILoggerFactory loggers);

/// <summary>
/// One running edge agent: the spool (opened and recovered first), the pipeline every source writes into, the
/// forwarder (when a datacenter is configured), the sources, and the local web server (live page, API, metrics).
/// A reload swaps sources and the datacenter link while the spool stays open, so nothing buffered is lost.
/// Stopping drains in order: web and sources stop, the forwarder finishes its in-flight requests, the spool
/// closes with everything acknowledged so far checkpointed.
/// </summary>
public sealed partial class EdgeRuntime : IAsyncDisposable
{
    private readonly Spool _spool;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<EdgeRuntime> _logger;
    private readonly Dictionary<string, (string Fingerprint, ISampleSource Source)> _byName = new(StringComparer.Ordinal);
    private WebApplication _app = null!;
    private SourceRunner _runner = null!;
    private EdgeConfig _config;
    private Forwarder? _forwarder;
    private long _reloadsApplied;
    private long _reloadsRefused;

    private EdgeRuntime(EdgeConfig config, Spool spool, EdgePipeline pipeline, ILoggerFactory loggers)
    {
        _config = config;
        _spool = spool;
        Pipeline = pipeline;
        _loggers = loggers;
        _logger = loggers.CreateLogger<EdgeRuntime>();
    }

    public EdgePipeline Pipeline { get; }

    public Forwarder? Forwarder => Volatile.Read(ref _forwarder);

    public Spool Spool => _spool;

    /// <summary>The configuration in force (after the last successful reload).</summary>
    public EdgeConfig Config => Volatile.Read(ref _config);

    public IReadOnlyList<ISampleSource> Sources => _runner.Sources;

    public IServiceProvider Services => _app.Services;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public long ReloadsApplied => Interlocked.Read(ref _reloadsApplied);

    public long ReloadsRefused => Interlocked.Read(ref _reloadsRefused);

    /// <summary>The address the live page listens on (the real port when 0 was configured).</summary>
    public Uri? Address =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } a
            ? new Uri(a)
            : null;

    /// <summary>Starts the agent with the sources <paramref name="config"/> names, built by <paramref name="build"/>.</summary>
    public static Task<EdgeRuntime> StartAsync(EdgeConfig config, SourceBuilder build, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(build);
        return StartAsync(config, loggers => [.. config.Sources.Select(s => build(config, s, loggers))], null, null, cancellationToken);
    }

    /// <param name="configureApp">Extra endpoints (e.g. the demo's simulator controls).</param>
    public static Task<EdgeRuntime> StartAsync(
        EdgeConfig config,
        IReadOnlyList<ISampleSource> sources,
        Action<WebApplication>? configureApp = null,
        Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return StartAsync(config, _ => sources, configureApp, configureLogging, cancellationToken);
    }

    private static async Task<EdgeRuntime> StartAsync(
        EdgeConfig config,
        Func<ILoggerFactory, IReadOnlyList<ISampleSource>> createSources,
        Action<WebApplication>? configureApp,
        Action<ILoggingBuilder>? configureLogging,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            // Auto under systemd: one line per entry with the syslog priority prefix, so journald keeps the levels.
            var format = config.Log.Format == LogFormat.Auto
                ? (SystemdHelpers.IsSystemdService() ? LogFormat.Systemd : LogFormat.Text)
                : config.Log.Format;
            _ = format switch
            {
                LogFormat.Systemd => builder.Logging.AddSystemdConsole(),
                LogFormat.Json => builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O"),
                _ => builder.Logging.AddSimpleConsole(o => o.SingleLine = true),
            };
            builder.Logging.SetMinimumLevel(config.Log.Level);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        builder.WebHost.ConfigureKestrel(k => k.Listen(config.WebListen));

        // Readiness and stop signals from the service manager (no-ops when run from a shell).
        builder.Host.UseSystemd();
        builder.Host.UseWindowsService(o => o.ServiceName = "telemetry-edge");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddHostedService<MemoryHousekeeper>();
        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var sources = createSources(loggers);

        // The spool first: recovery happens before any source runs.
        var spool = await Spool.OpenAsync(
            new SpoolOptions(config.SpoolDirectory)
            {
                DiskBudgetBytes = config.Spool.MaxDiskBytes,
                FullPolicy = config.Spool.WhenFull,
                SegmentBytes = config.Spool.SegmentBytes,
            },
            loggers.CreateLogger("Telemetry.Storage.Spool"),
            cancellationToken).ConfigureAwait(false);
        var runtime = new EdgeRuntime(config, spool, new EdgePipeline(spool, new LiveView(), new LiveFeed()), loggers);
        try
        {
            await runtime.StartAsync(app, sources, configureApp, cancellationToken).ConfigureAwait(false);
            return runtime;
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartAsync(WebApplication app, IReadOnlyList<ISampleSource> sources, Action<WebApplication>? configureApp, CancellationToken cancellationToken)
    {
        _app = app;
        _runner = new SourceRunner(sources, Pipeline, _loggers.CreateLogger<SourceRunner>());
        foreach (var source in sources)
        {
            var settings = _config.Sources.FirstOrDefault(s => s.Name == source.Name);
            _byName[source.Name] = (settings is null ? Guid.NewGuid().ToString("N") : SourceFingerprint.Of(settings), source);
        }

        app.MapDashboard();
        app.MapEdgeApi(new EdgeApiContext(Pipeline, () => _runner.Sources, TimeProvider.System));
        app.MapEdgeStatus(this);
        configureApp?.Invoke(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await _runner.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_config.Datacenter is { } datacenter)
        {
            await StartForwarderAsync(datacenter, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>
    /// Applies a new configuration without a restart: sources that were added, removed or changed are started or
    /// stopped (unchanged ones keep running), a changed datacenter link is reconnected. Everything in the spool
    /// stays. Every new source is built before anything stops, so a configuration that fails to build changes
    /// nothing (the caller logs the refusal). Identity, data folder, web address and spool settings need a restart.
    /// </summary>
    public async Task<ReloadReport> ReloadAsync(EdgeConfig next, SourceBuilder build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(build);
        await _reloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Config;
            var restartNeeded = new List<string>();
            void Keep<T>(string key, T now, T then)
            {
                if (!EqualityComparer<T>.Default.Equals(now, then))
                {
                    restartNeeded.Add(key);
                }
            }

            Keep("edge.id", current.EdgeId, next.EdgeId);
            Keep("edge.site", current.Site, next.Site);
            Keep("edge.data_dir", current.DataDirectory, next.DataDirectory);
            Keep("web.listen", current.WebListen.ToString(), next.WebListen.ToString());
            Keep("spool", current.Spool, next.Spool);
            var effective = current with { Sources = next.Sources, Datacenter = next.Datacenter };

            var added = new List<ISampleSource>();
            var stop = new List<ISampleSource>();
            var report = (Added: new List<string>(), Removed: new List<string>(), Restarted: new List<string>());
            var nextPrints = new Dictionary<string, (string, ISampleSource)>(StringComparer.Ordinal);
            try
            {
                foreach (var settings in next.Sources)
                {
                    var print = SourceFingerprint.Of(settings);
                    if (_byName.TryGetValue(settings.Name, out var running) && running.Fingerprint == print)
                    {
                        nextPrints[settings.Name] = running;
                        continue;
                    }

                    var source = build(effective, settings, _loggers);
                    added.Add(source);
                    nextPrints[settings.Name] = (print, source);
                    (running.Source is null ? report.Added : report.Restarted).Add(settings.Name);
                }
            }
            catch
            {
                foreach (var source in added)
                {
                    (source as IDisposable)?.Dispose();
                }

                Interlocked.Increment(ref _reloadsRefused);
                throw;
            }

            foreach (var (name, running) in _byName)
            {
                if (!nextPrints.TryGetValue(name, out var kept) || !ReferenceEquals(kept.Item2, running.Source))
                {
                    stop.Add(running.Source);
                    if (!nextPrints.ContainsKey(name))
                    {
                        report.Removed.Add(name);
                    }
                }
            }

            await _runner.ReplaceAsync(stop, added, cancellationToken).ConfigureAwait(false);
            foreach (var source in stop)
            {
                (source as IDisposable)?.Dispose();
            }

            _byName.Clear();
            foreach (var (name, entry) in nextPrints)
            {
                _byName[name] = entry;
            }

            var datacenterChanged = current.Datacenter != next.Datacenter;
            if (datacenterChanged)
            {
                await StopForwarderAsync(cancellationToken).ConfigureAwait(false);
                if (next.Datacenter is { } datacenter)
                {
                    await StartForwarderAsync(datacenter, cancellationToken).ConfigureAwait(false);
                }
            }

            Volatile.Write(ref _config, effective);
            Interlocked.Increment(ref _reloadsApplied);
            var result = new ReloadReport(report.Added, report.Removed, report.Restarted, datacenterChanged, restartNeeded);
            LogReloaded(result);
            return result;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>Counts a configuration that was refused before it reached <see cref="ReloadAsync"/> (e.g. it did not load).</summary>
    public void CountRefusedReload() => Interlocked.Increment(ref _reloadsRefused);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
        }

        if (_runner is not null)
        {
            await _runner.DisposeAsync().ConfigureAwait(false);
        }

        await StopForwarderAsync(CancellationToken.None).ConfigureAwait(false);
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        await _spool.DisposeAsync().ConfigureAwait(false);
        _reloadGate.Dispose();
    }

    private async Task StartForwarderAsync(DatacenterOptions datacenter, CancellationToken cancellationToken)
    {
        var forwarder = new Forwarder(_spool, datacenter, _loggers.CreateLogger<Forwarder>());
        await forwarder.StartAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _forwarder, forwarder);
    }

    private async Task StopForwarderAsync(CancellationToken cancellationToken)
    {
        var forwarder = Interlocked.Exchange(ref _forwarder, null);
        if (forwarder is not null)
        {
            // Waits for the requests in flight; ranges not yet acknowledged stay in the spool for the next reader.
            await forwarder.StopAsync(cancellationToken).ConfigureAwait(false);
            forwarder.Dispose();
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Configuration reloaded: {Changes}")]
    private partial void LogReloaded(ReloadReport changes);
}
