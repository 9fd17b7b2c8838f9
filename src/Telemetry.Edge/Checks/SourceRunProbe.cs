using System.Collections.Concurrent;
using System.Diagnostics;
using Telemetry.Core;

namespace Telemetry.Edge.Checks;

/// <summary>
/// Probes a source by running it, exactly as the agent would, into a throw-away sink: it reports when (and whether)
/// the source connects, which tags arrive in a short listening window, and the source's own error when it does not.
/// Works for every source type; the caller builds a source that does not disturb the running agent (e.g. its own
/// MQTT client id, no persistent session).
/// </summary>
public sealed class SourceRunProbe : IConnectivityProbe
{
    private readonly ISampleSource _source;
    private readonly string _host;
    private readonly int _port;
    private readonly string _security;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _listen;

    public SourceRunProbe(ISampleSource source, string target, string host, int port, string security, TimeSpan timeout, TimeSpan? listen = null)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        Target = target;
        _host = host;
        _port = port;
        _security = security;
        _timeout = timeout;
        _listen = listen ?? TimeSpan.FromSeconds(2);
    }

    public string What => $"source {_source.Name} ({_source.Kind})";

    public string Target { get; }

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        var sink = new SeenTags();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() => _source.RunAsync(sink, stop.Token), CancellationToken.None);
        TimeSpan? connectedAfter = null;
        try
        {
            while (clock.Elapsed < _timeout && !run.IsCompleted)
            {
                if (_source.GetHealth().State == SourceLinkState.Connected)
                {
                    connectedAfter = clock.Elapsed;
                    break;
                }

                await Task.Delay(25, cancellationToken).ConfigureAwait(false);
            }

            if (connectedAfter is not null)
            {
                await Task.WhenAny(run, Task.Delay(_listen, cancellationToken)).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException || connectedAfter is null)
            {
                // the error is in the health below, or the run ended because we stopped it
            }
        }

        var health = _source.GetHealth();
        if (connectedAfter is null)
        {
            var problem = health.LastError ?? (run.Exception?.InnerException?.Message) ?? $"no connection within {_timeout.TotalSeconds:0.#} s";
            return FixHints.ForMessage(problem, _host, _port, _timeout) with { Security = _security };
        }

        return new ProbeResult
        {
            Ok = true,
            Security = _security,
            Latency = connectedAfter,
            TagCount = sink.Count,
            Sample = sink.Count == 0 ? $"connected; no values in {_listen.TotalSeconds:0.#} s" : sink.Describe(3),
        };
    }

    private sealed class SeenTags : ISampleSink
    {
        private readonly ConcurrentDictionary<string, string> _tags = new(StringComparer.Ordinal);

        public int Count => _tags.Count;

        public ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default)
        {
            foreach (ref readonly var sample in batch.Samples)
            {
                _tags.TryAdd($"{sample.Path.Machine}/{sample.Path.Tag}", sample.Value.ToString());
            }

            return ValueTask.CompletedTask;
        }

        public string Describe(int count) =>
            string.Join(", ", _tags.OrderBy(t => t.Key, StringComparer.Ordinal).Take(count).Select(t => $"{t.Key}={t.Value}"));
    }
}
