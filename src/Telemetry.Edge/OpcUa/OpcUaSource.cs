using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Telemetry.Core;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Security;
using Telemetry.OpcUa.Services;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// The edge's OPC UA source, one per PLC: connects (retrying with capped, jittered backoff until the PLC answers,
/// without holding up anything else), resolves the configured nodes by namespace URI, browse path or browse rule,
/// and subscribes to them. The session keeps itself alive (reconnect, transfer or recreate of subscriptions with
/// namespace indexes looked up again, Republish of gaps), so a PLC restart resumes data without restarting this
/// source. Values go to the sink (the spool) in batches from one writer loop.
/// </summary>
public sealed partial class OpcUaSource : ISampleSource
{
    private readonly OpcUaSourceOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _stateLock = new();
    private SourceLinkState _state = SourceLinkState.Starting;
    private string? _lastError;
    private long _samples;
    private long _lastSampleNs;
    private OpcUaSampleWriter? _writer;
    private int _running;
    private int _tagCount;
    private IReadOnlyList<string> _problems = [];
    private readonly OpcUaResumeStore? _resume;
    private int _resumeSaveFailed;

    public OpcUaSource(OpcUaSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.LoggerFactory.CreateLogger($"Telemetry.Edge.OpcUa.{options.Name}");
        _resume = options.ResumeStateDirectory is { } dir ? new OpcUaResumeStore(dir, options.Name) : null;
    }

    public string Name => _options.Name;

    public string Kind => "opcua";

    public OpcUaSourceOptions Options => _options;

    /// <summary>Tags subscribed on the current session.</summary>
    public int TagCount => Volatile.Read(ref _tagCount);

    /// <summary>Configured entries the PLC does not have (each line names the entry and why).</summary>
    public IReadOnlyList<string> Problems => Volatile.Read(ref _problems);

    /// <summary>Tests: stop as a killed process would, without CloseSession and keeping the saved state.</summary>
    internal bool AbandonSessionOnStop { get; set; }

    /// <summary>The session while connected (tests and diagnostics).</summary>
    public UaSession? Session { get; private set; }

    public SourceHealth GetHealth()
    {
        lock (_stateLock)
        {
            return new SourceHealth(Name, Kind, _state, Interlocked.Read(ref _samples), Interlocked.Read(ref _lastSampleNs), _lastError, Volatile.Read(ref _writer)?.Overflows ?? 0);
        }
    }

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"OPC UA source '{Name}' is already running.");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = new OpcUaSampleWriter(_options, OnWritten);
        writer.Acknowledged = SaveAcknowledged;
        Volatile.Write(ref _writer, writer);
        var writing = writer.RunAsync(sink, stop.Token);
        UaSession? session = null;
        EnsureOwnCertificate();
        try
        {
            session = await BuildConnectRetry().ExecuteAsync(ConnectAndSubscribeAsync, writer, stop.Token).ConfigureAwait(false);
            Session = session;
            await WatchAsync(session, writing, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            SetState(SourceLinkState.Disconnected, null);
        }
        finally
        {
            Session = null;
            await stop.CancelAsync().ConfigureAwait(false);
            if (session is not null && AbandonSessionOnStop)
            {
                await session.DisposeAsync().ConfigureAwait(false); // as a killed process would leave it
            }
            else if (session is not null && await CloseQuietlyAsync(session).ConfigureAwait(false))
            {
                DeleteResumeState(); // the session and its subscriptions are gone: nothing to take over next time
            }

            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping: values not yet written are dropped with the session (the PLC keeps producing them)
            }

            Volatile.Write(ref _running, 0);
        }
    }

    private async ValueTask<UaSession> ConnectAndSubscribeAsync(OpcUaSampleWriter writer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        UaSession session;
        try
        {
            session = await UaSession.ConnectAsync(_options.ToClientOptions($"telemetry-edge {Name}"), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{_options.EndpointUrl}: no OPC UA session within {_options.ConnectTimeout.TotalSeconds:0.#} s.");
        }

        try
        {
            var resolution = await new OpcUaNodeResolver(session).ResolveAsync(_options.Site, _options.Nodes, cancellationToken).ConfigureAwait(false);
            var items = new List<MonitoredItemOptions>(resolution.Tags.Count);
            foreach (var tag in resolution.Tags)
            {
                items.Add(ItemFor(tag));
            }

            var problems = new List<string>(resolution.Problems);
            await LoadStructureTypesAsync(session, resolution.Tags, writer, cancellationToken).ConfigureAwait(false);
            var subscriptionOptions = new SubscriptionOptions { PublishingInterval = _options.PublishingInterval };
            Session = session;
            var subscriptions = new List<UaSubscription>();
            IReadOnlyList<MonitoredItemOptions> toSubscribe = items;
            if (await TryResumeAsync(session, items, subscriptionOptions, writer, cancellationToken).ConfigureAwait(false) is { } resumed)
            {
                subscriptions.AddRange(resumed.Resumed);
                toSubscribe = resumed.Remaining;
            }

            if (toSubscribe.Count > 0)
            {
                subscriptions.AddRange(await session.SubscribeAsync(toSubscribe, subscriptionOptions, writer, cancellationToken).ConfigureAwait(false));
            }

            SaveResumeState(session);
            var subscribed = new HashSet<Telemetry.OpcUa.Encoding.ExpandedNodeId>();
            foreach (var subscription in subscriptions)
            {
                foreach (var item in subscription.Items)
                {
                    subscribed.Add(item.NodeId);
                }
            }

            foreach (var tag in resolution.Tags)
            {
                if (!subscribed.Contains(tag.NodeId))
                {
                    problems.Add($"{tag.Spec.Origin} {tag.Spec.Describe()}: the PLC refused to monitor {tag.NodeId} ({tag.Path.Machine}/{tag.Path.Tag}).");
                }
            }

            var good = subscribed.Count;
            foreach (var problem in problems)
            {
                Log.NodeProblem(_logger, Name, problem);
            }

            Volatile.Write(ref _problems, problems);
            Volatile.Write(ref _tagCount, good);
            Log.Subscribed(_logger, Name, _options.EndpointUrl, session.Endpoint?.SecurityName ?? "None", good, problems.Count);
            SetState(SourceLinkState.Connected, problems.Count == 0 ? null : $"{problems.Count} configured node(s) not subscribed: {problems[0]}");
            return session;
        }
        catch
        {
            Session = null;
            await CloseQuietlyAsync(session).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Reads the DataType of every tag and loads the PLC's structured types among them, so user-defined structures
    /// arrive as one tag per field. A PLC that cannot tell its types (older than OPC UA 1.04) still gets its
    /// values, as text; that is logged, not fatal.
    /// </summary>
    private async Task LoadStructureTypesAsync(UaSession session, IReadOnlyList<OpcUaResolvedTag> tags, OpcUaSampleWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            var nodes = tags.Select(t => t.NodeId).ToArray();
            var dataTypes = await session.ReadAsync(nodes, AttributeId.DataType, cancellationToken).ConfigureAwait(false);
            var ids = new List<Telemetry.OpcUa.Encoding.ExpandedNodeId>();
            foreach (var dataType in dataTypes)
            {
                if (dataType.StatusCode.IsGood && dataType.Value.Value is Telemetry.OpcUa.Encoding.NodeId id)
                {
                    ids.Add(id);
                }
            }

            var library = await session.LoadStructureTypesAsync(ids.Distinct(), cancellationToken).ConfigureAwait(false);
            writer.Structures.Use(library, session);
            if (library.Count > 0)
            {
                var names = string.Join(", ", library.Types.Select(t => t.Name));
                Log.StructureTypes(_logger, Name, library.Count, names);
            }
        }
        catch (OpcUaException ex)
        {
            Log.StructureTypesFailed(_logger, Name, ex.Message);
        }
    }

    private MonitoredItemOptions ItemFor(OpcUaResolvedTag tag)
    {
        var deadband = tag.Spec.Deadband ?? _options.Deadband;
        return new MonitoredItemOptions(tag.NodeId)
        {
            SamplingInterval = tag.Spec.SamplingInterval ?? _options.SamplingInterval,
            QueueSize = tag.Spec.QueueSize ?? _options.QueueSize,
            Filter = deadband.IsNone ? null
                : deadband.IsPercent ? DataChangeFilter.Percent(deadband.Value)
                : DataChangeFilter.Absolute(deadband.Value),
            Tag = tag.Path,
        };
    }

    /// <summary>Mirrors the session's link into the health until stopped (the session reconnects on its own).</summary>
    private async Task WatchAsync(UaSession session, Task writing, CancellationToken cancellationToken)
    {
        var reconnects = session.ReconnectCount;
        var sessions = session.SessionCount;
        var overflowsLogged = 0L;
        var overflowLoggedAt = long.MinValue;
        var fullLogged = 0L;
        var fullLoggedAt = long.MinValue;
        while (true)
        {
            var done = await Task.WhenAny(writing, Task.Delay(TimeSpan.FromMilliseconds(200), _options.TimeProvider, cancellationToken)).ConfigureAwait(false);
            if (done == writing)
            {
                await writing.ConfigureAwait(false); // the writer only ends by cancellation or a sink failure
            }

            cancellationToken.ThrowIfCancellationRequested();
            var overflows = Volatile.Read(ref _writer)?.Overflows ?? 0;
            if (overflows > overflowsLogged && (overflowLoggedAt == long.MinValue || _options.TimeProvider.GetElapsedTime(overflowLoggedAt) >= TimeSpan.FromMinutes(1)))
            {
                Log.SourceOverflow(_logger, Name, _options.EndpointUrl, overflows - overflowsLogged, overflows);
                overflowsLogged = overflows;
                overflowLoggedAt = _options.TimeProvider.GetTimestamp();
            }

            var full = Volatile.Read(ref _writer)?.QueueFullCount ?? 0;
            if (full > fullLogged && (fullLoggedAt == long.MinValue || _options.TimeProvider.GetElapsedTime(fullLoggedAt) >= TimeSpan.FromMinutes(1)))
            {
                Log.WriterQueueFull(_logger, Name, Volatile.Read(ref _writer)?.QueuedSamples ?? 0, _options.WriterQueueCapacity, _options.EndpointUrl, full);
                fullLogged = full;
                fullLoggedAt = _options.TimeProvider.GetTimestamp();
            }

            if (session.IsConnected)
            {
                if (session.ReconnectCount != reconnects)
                {
                    reconnects = session.ReconnectCount;
                    Log.Reconnected(_logger, Name, _options.EndpointUrl, session.SessionCount);
                    SaveResumeState(session); // subscriptions recreated on a new session have new ids
                }

                // A new session (the PLC restarted, or forgot ours): browse paths and rules may name other nodes now.
                if (session.SessionCount != sessions && await RefreshNodesAsync(session, cancellationToken).ConfigureAwait(false))
                {
                    sessions = session.SessionCount;
                    SaveResumeState(session);
                }

                var problems = Problems;
                SetState(SourceLinkState.Connected, problems.Count == 0 ? null : $"{problems.Count} configured node(s) not subscribed: {problems[0]}");
            }
            else
            {
                var error = session.LastConnectionError;
                var reason = error is null ? $"{_options.EndpointUrl} is not connected" : OpcUaSecurityHints.Describe(error, _options);
                if (SetState(SourceLinkState.Reconnecting, reason) && error is not null && OpcUaSecurityHints.UntrustedThumbprint(error) is { } thumbprint)
                {
                    Log.ServerCertificateUntrusted(_logger, Name, _options.EndpointUrl, thumbprint, OpcUaSecurityHints.TrustCommand(thumbprint, _options.PkiPath));
                }
            }
        }
    }

    private ResiliencePipeline BuildConnectRetry() => new ResiliencePipelineBuilder { TimeProvider = _options.TimeProvider }
        .AddRetry(new RetryStrategyOptions
        {
            // UnauthorizedAccessException: the PKI folder's permissions, fixable while the agent runs
            ShouldHandle = new PredicateBuilder().Handle<OpcUaException>().Handle<TimeoutException>().Handle<IOException>().Handle<UnauthorizedAccessException>(),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.ReconnectMinDelay,
            MaxDelay = _options.ReconnectMaxDelay,
            OnRetry = args =>
            {
                var exception = args.Outcome.Exception;
                var reason = exception is null ? "unknown" : OpcUaSecurityHints.Describe(exception, _options);
                if (SetState(SourceLinkState.Reconnecting, reason) || args.AttemptNumber % 20 == 0)
                {
                    if (exception is not null && OpcUaSecurityHints.UntrustedThumbprint(exception) is { } thumbprint)
                    {
                        Log.ServerCertificateUntrusted(_logger, Name, _options.EndpointUrl, thumbprint, OpcUaSecurityHints.TrustCommand(thumbprint, _options.PkiPath));
                    }
                    else
                    {
                        Log.ConnectFailed(_logger, Name, _options.EndpointUrl, reason, (long)args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1);
                    }
                }

                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>
    /// A secured source makes sure the agent's certificate exists before the first connect, so a technician can copy
    /// it to the PLC (`telemetry-edge certs show-own`) even while the PLC is not reachable yet.
    /// </summary>
    private void EnsureOwnCertificate()
    {
        if (_options.Security.IsNone || _options.PkiPath is null)
        {
            return;
        }

        try
        {
            using var own = new PkiStore(_options.PkiPath).GetOrCreateOwnCertificate(_options.ApplicationUri, _options.ApplicationName, timeProvider: _options.TimeProvider);
            var thumbprint = CertificateThumbprint.ToHex(own.RawData);
            Log.OwnCertificate(_logger, Name, thumbprint, _options.ApplicationUri, _options.PkiPath);
        }
        catch (Exception ex) when (ex is OpcUaException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            // the session tries again at every connect; until then the status says why
            Log.OwnCertificateFailed(_logger, Name, _options.PkiPath, ex.Message);
            SetState(SourceLinkState.Reconnecting, $"cannot create or read the agent's certificate in {_options.PkiPath}: {ex.Message}");
        }
    }

    private void OnWritten(int count, long lastSampleNs)
    {
        Interlocked.Add(ref _samples, count);
        Interlocked.Exchange(ref _lastSampleNs, lastSampleNs);
    }

    /// <summary>Sets the link state; true when it or the error text changed.</summary>
    private bool SetState(SourceLinkState state, string? error)
    {
        lock (_stateLock)
        {
            var changed = _state != state || !string.Equals(_lastError, error, StringComparison.Ordinal);
            if (_state != state)
            {
                Log.StateChanged(_logger, Name, state, _options.EndpointUrl);
            }

            _state = state;
            _lastError = error;
            return changed;
        }
    }

    /// <summary>Closes the session (deleting its subscriptions); false when that failed and the PLC may still have them.</summary>
    private async Task<bool> CloseQuietlyAsync(UaSession session)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var closable = session.IsConnected;
            await session.CloseAsync(timeout.Token).ConfigureAwait(false);
            return closable;
        }
        catch (Exception ex) when (ex is OpcUaException or TimeoutException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.CloseFailed(_logger, Name, ex.Message);
            }

            await session.DisposeAsync().ConfigureAwait(false);
            return false;
        }
    }
}
