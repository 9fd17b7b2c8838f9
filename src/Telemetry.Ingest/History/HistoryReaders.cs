using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.History;

/// <summary>The history reader for the configured store: null for the null store (the API answers 501).</summary>
public static class HistoryReaders
{
    public static IHistoryReader? Create(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Kind switch
        {
            StoreKind.InfluxDb1 => new InfluxDb1HistoryReader(options),
            StoreKind.VictoriaMetrics => new VictoriaMetricsHistoryReader(options),
            StoreKind.InfluxDb2 => new UnsupportedHistoryReader("history from InfluxDB 2/3 is not supported yet: use InfluxDB 1.x or VictoriaMetrics as the store to read history."),
            _ => null,
        };
    }
}

/// <summary>A store kind whose history cannot be read yet: every query answers 501 with the reason.</summary>
public sealed class UnsupportedHistoryReader(string reason) : IHistoryReader
{
    public ValueTask<IReadOnlyList<HistorySeries>> ReadAsync(HistoryQuery query, CancellationToken cancellationToken = default) =>
        throw new HistoryException(501, reason);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
