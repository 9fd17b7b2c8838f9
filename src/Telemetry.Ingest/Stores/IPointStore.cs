using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Stores;

/// <summary>
/// Where accepted line protocol goes. <see cref="WriteAsync"/> completes when the store has acknowledged the
/// points (or definitely has not): the ingest keeps nothing a restart would lose, so the edge's request is answered
/// only after this.
/// </summary>
public interface IPointStore : IAsyncDisposable
{
    /// <summary>"influxdb1 http://127.0.0.1:8086 db=telemetry", for logs and /health.</summary>
    string Description { get; }

    /// <summary>Writes validated lines (every line has a timestamp in <paramref name="precision"/>).</summary>
    ValueTask<StoreOutcome> WriteAsync(ReadOnlyMemory<byte> lines, TimestampPrecision precision, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="WriteAsync"/>, also given <paramref name="gzipped"/>: the request's own gzip body that inflated to
    /// exactly <paramref name="lines"/> (its CRC-32 and length were checked). A store that sends gzip forwards those
    /// bytes instead of compressing again; the default ignores them.
    /// </summary>
    ValueTask<StoreOutcome> WriteAsync(ReadOnlyMemory<byte> lines, ReadOnlyMemory<byte> gzipped, TimestampPrecision precision, CancellationToken cancellationToken = default) =>
        WriteAsync(lines, precision, cancellationToken);

    /// <summary>Asks the store whether it is up (its ping/health endpoint); never throws.</summary>
    ValueTask<(bool Reachable, string? Error)> PingAsync(CancellationToken cancellationToken = default);
}
