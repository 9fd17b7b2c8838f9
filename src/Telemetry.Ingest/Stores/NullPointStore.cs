using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Stores;

/// <summary>Accepts everything and stores nothing: benchmarks of the ingest path alone, and dry runs.</summary>
public sealed class NullPointStore : IPointStore
{
    public string Description => "null (points are not stored)";

    public ValueTask<StoreOutcome> WriteAsync(ReadOnlyMemory<byte> lines, TimestampPrecision precision, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(StoreOutcome.Stored);

    public ValueTask<(bool Reachable, string? Error)> PingAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<(bool, string?)>((true, null));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
