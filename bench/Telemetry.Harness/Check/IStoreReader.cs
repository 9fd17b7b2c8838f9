namespace Telemetry.Harness.Check;

/// <summary>The store the pipeline writes into, in the harness.</summary>
public enum HarnessStore
{
    VictoriaMetrics,
    InfluxDb1,
}

/// <summary>Reads raw load points back from a store (every measured point, or one series for the queryable probe).</summary>
public interface IStoreReader : IDisposable
{
    /// <summary>Makes recent writes visible to queries, where the store needs it.</summary>
    Task ForceFlushAsync(CancellationToken cancellationToken);

    /// <summary>Points of the load series (or only machine/tag when given) between two Unix ms times, inclusive.</summary>
    IAsyncEnumerable<StoredPoint> ExportAsync(string? machine, string? tag, long fromMs, long toMs, CancellationToken cancellationToken);
}
