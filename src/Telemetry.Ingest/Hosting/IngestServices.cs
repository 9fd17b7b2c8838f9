using Microsoft.Extensions.Logging;
using Telemetry.Ingest.Auth;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Diagnostics;
using Telemetry.Ingest.Health;
using Telemetry.Ingest.History;
using Telemetry.Ingest.Live;
using Telemetry.Ingest.Loss;
using Telemetry.Ingest.Sites;
using Telemetry.Ingest.Stores;
using Telemetry.Ingest.Writing;

namespace Telemetry.Ingest.Hosting;

/// <summary>The service's parts, built once from the options and shared by its endpoints.</summary>
public sealed class IngestServices : IAsyncDisposable
{
    private IngestServices(IngestOptions options, IngestServerSettings settings, ILoggerFactory loggers)
    {
        Options = options;
        TimeProvider = settings.TimeProvider;
        Store = settings.Store ?? CreateStore(options.Store, loggers, settings.TimeProvider);
        Callers = new CallerResolver(new SiteTokens(options.Sites), OperatorTokens(options));
        Counters = new IngestCounters();
        Ledger = new LossLedger(options.Loss, settings.TimeProvider);
        Workers = new WriteWorkerPool(options.Limits);
        Live = new LiveHub(options.Live);
        Health = new MachineHealth(options.Health, settings.TimeProvider, loggers.CreateLogger<MachineHealth>());
        Writes = new WriteHandler(Callers, Workers, Store, Ledger, Counters, options.Limits, OnAccepted, settings.TimeProvider, loggers.CreateLogger("Telemetry.Ingest.Write"));
        Logger = loggers.CreateLogger("Telemetry.Ingest");
        History = HistoryReaders.Create(options.Store);
        SignIn = new SignInService(options.Users, [.. options.Sites.Select(s => s.Name)], options.SignIn, settings.TimeProvider, loggers.CreateLogger("Telemetry.Ingest.SignIn"));
    }

    public IngestOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public IPointStore Store { get; }

    public CallerResolver Callers { get; }

    public IngestCounters Counters { get; }

    public LossLedger Ledger { get; }

    public WriteWorkerPool Workers { get; }

    public WriteHandler Writes { get; }

    /// <summary>Live subscribers (dashboards): every accepted sample, before the store write.</summary>
    public LiveHub Live { get; }

    /// <summary>Per machine: latest values, state, alerts.</summary>
    public MachineHealth Health { get; }

    public ILogger Logger { get; }

    /// <summary>Reads the store back for GET /api/history; null for the null store.</summary>
    public IHistoryReader? History { get; }

    /// <summary>Dashboard users: sign-in, session cookies.</summary>
    public SignInService SignIn { get; }

    /// <summary>Extra observers of accepted samples (tests and benchmarks measure live latency through it).</summary>
    public event SamplesAccepted? Accepted;

    /// <summary>The caller of a read API (dashboard): a site or operator token, else the session cookie of a signed-in
    /// user. Writes take tokens only (<see cref="Callers"/>).</summary>
    public IngestCaller? ReadCaller(Microsoft.AspNetCore.Http.HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return Callers.Resolve(http.Request) ?? SignIn.Resolve(http);
    }

    public static IngestServices Create(IngestOptions options, IngestServerSettings settings, ILoggerFactory loggers) => new(options, settings, loggers);

    public async ValueTask DisposeAsync()
    {
        Workers.Dispose();
        Health.Dispose();
        SignIn.Dispose();
        await Store.DisposeAsync().ConfigureAwait(false);
        if (History is not null)
        {
            await History.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IPointStore CreateStore(StoreOptions options, ILoggerFactory loggers, TimeProvider time) =>
        options.Kind == StoreKind.Null ? new NullPointStore() : new HttpPointStore(options, loggers.CreateLogger("Telemetry.Ingest.Store"), time);

    private static Dictionary<string, string> OperatorTokens(IngestOptions options)
    {
        var operators = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var op in options.Operators)
        {
            foreach (var hash in op.TokenHashes)
            {
                operators[hash] = "operator:" + op.Name;
            }
        }

        return operators;
    }

    private void OnAccepted(string site, ReadOnlySpan<Telemetry.Core.Sample> samples)
    {
        Live.Publish(site, samples);
        Health.Apply(site, samples);
        Accepted?.Invoke(site, samples);
    }
}
