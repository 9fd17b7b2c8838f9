using Telemetry.Core;
using Telemetry.Edge.Live;

namespace Telemetry.Edge.Pipeline;

/// <summary>
/// The sink every source writes into: first the durable store (the spool), then the edge's live view and feed.
/// A sample reaches the live page only once it is safe on disk, so what the page shows is never lost.
/// </summary>
public sealed class EdgePipeline : ISampleSink
{
    private readonly ISampleSink? _durable;
    private long _samples;

    /// <param name="durable">The spool; null when the edge runs without one (the in-memory demo).</param>
    public EdgePipeline(ISampleSink? durable, LiveView view, LiveFeed feed)
    {
        _durable = durable;
        View = view ?? throw new ArgumentNullException(nameof(view));
        Feed = feed ?? throw new ArgumentNullException(nameof(feed));
    }

    public LiveView View { get; }

    public LiveFeed Feed { get; }

    public long SamplesWritten => Interlocked.Read(ref _samples);

    public async ValueTask WriteAsync(SampleBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_durable is not null)
        {
            await _durable.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        View.Apply(batch.Samples);
        Feed.Publish(batch.Samples);
        Interlocked.Add(ref _samples, batch.Count);
    }
}
