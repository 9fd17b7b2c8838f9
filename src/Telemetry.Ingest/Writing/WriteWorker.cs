using System.Collections.Concurrent;
using Telemetry.Core;
using Telemetry.Core.Buffers;
using Telemetry.Ingest.Configuration;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Writing;

/// <summary>
/// What one write request needs, reused across requests so the steady state allocates nothing per line: a parser per
/// precision, the sample decoder (whose series cache makes decoding a known series free), the sample batch and the
/// body buffers. Buffers that a huge request grew are given back to the pool rather than kept.
/// </summary>
public sealed class WriteWorker : IDisposable
{
    private const int KeepBufferBytes = 8 << 20;
    private readonly LineProtocolParser[] _parsers;
    private readonly WriteLimits _limits;

    public WriteWorker(WriteLimits limits, SampleSeriesCache? series = null)
    {
        _limits = limits;
        Series = series ?? new SampleSeriesCache();
        var lineLimits = LineProtocolLimits.Default with { MaxLineLength = limits.MaxLineBytes };
        _parsers = new LineProtocolParser[4];
        foreach (var precision in Enum.GetValues<TimestampPrecision>())
        {
            _parsers[(int)precision] = new LineProtocolParser(lineLimits, precision);
        }

        Raw = NewBuffer(RawMax);
        Inflated = NewBuffer(InflatedMax);
        Stamped = NewBuffer(StampedMax);
    }

    // The reader checks the limits after each chunk it reads, so the buffers may hold one chunk more.
    private int RawMax => (int)Math.Min(int.MaxValue, _limits.MaxBodyBytes + RequestBodyReader.ReadChunk);

    private int InflatedMax => (int)Math.Min(int.MaxValue, _limits.MaxDecompressedBytes + RequestBodyReader.ReadChunk);

    // A timestamp adds at most 21 bytes to a line of at least 5 ("m f=1").
    private int StampedMax => (int)Math.Min(int.MaxValue, _limits.MaxDecompressedBytes * 5);

    public PooledByteBuffer Raw { get; private set; }

    public PooledByteBuffer Inflated { get; private set; }

    public PooledByteBuffer Stamped { get; private set; }

    public SampleLineDecoder Decoder { get; } = new();

    /// <summary>Known series decoded without the decoder's per-line work (shared by the pool's workers).</summary>
    public SampleSeriesCache Series { get; }

    public SampleBatch Samples { get; } = new(1024);

    public LineProtocolParser Parser(TimestampPrecision precision) => _parsers[(int)precision];

    /// <summary>Clears for the next request; drops buffers that grew past 8 MiB.</summary>
    public void Reset()
    {
        Raw = Trim(Raw, RawMax);
        Inflated = Trim(Inflated, InflatedMax);
        Stamped = Trim(Stamped, StampedMax);
        Samples.Clear();
    }

    public void Dispose()
    {
        Raw.Dispose();
        Inflated.Dispose();
        Stamped.Dispose();
        Samples.Dispose();
    }

    private static PooledByteBuffer NewBuffer(int max) => new(64 * 1024, max);

    private static PooledByteBuffer Trim(PooledByteBuffer buffer, int max)
    {
        if (buffer.Capacity <= KeepBufferBytes)
        {
            buffer.Reset();
            return buffer;
        }

        buffer.Dispose();
        return NewBuffer(max);
    }
}

/// <summary>A small pool of <see cref="WriteWorker"/>s (one per request in flight, kept up to a bound).</summary>
public sealed class WriteWorkerPool(WriteLimits limits, int keep = 64) : IDisposable
{
    private readonly ConcurrentBag<WriteWorker> _idle = [];
    private readonly SampleSeriesCache _series = new();

    public WriteWorker Rent() => _idle.TryTake(out var worker) ? worker : new WriteWorker(limits, _series);

    public void Return(WriteWorker worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        worker.Reset();
        if (_idle.Count < keep)
        {
            _idle.Add(worker);
        }
        else
        {
            worker.Dispose();
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var worker))
        {
            worker.Dispose();
        }
    }
}
