namespace Telemetry.Ingest.History;

/// <summary>
/// Reads stored samples back for charts, from the store the ingest writes to (schema: see
/// <see cref="Telemetry.LineProtocol.SampleLineEncoder"/>). A long range is downsampled in the store to about
/// <see cref="HistoryQuery.Points"/> points per series; a range holding no more points than that comes back raw.
/// Throws <see cref="HistoryException"/> when the store refuses or cannot be reached.
/// </summary>
public interface IHistoryReader : IAsyncDisposable
{
    ValueTask<IReadOnlyList<HistorySeries>> ReadAsync(HistoryQuery query, CancellationToken cancellationToken = default);
}
