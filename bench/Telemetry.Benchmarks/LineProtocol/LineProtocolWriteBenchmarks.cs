using System.Buffers;
using BenchmarkDotNet.Attributes;
using Telemetry.Core;
using Telemetry.LineProtocol;

namespace Telemetry.Benchmarks.LineProtocol;

/// <summary>
/// Writer speed in ns per field (1000 lines per invoke into a reused buffer).
/// <see cref="WriteMixedFields"/>: 5 fields per line (float, integer, boolean, string, float) with 2 tags and a ns
/// timestamp. <see cref="WriteFloatFields"/>: 5 float fields (shortest round-trip formatting is the costly part).
/// <see cref="EncodeSamples"/>: the product schema, one sample (one field + 4 tags) per line, ns per sample.
/// </summary>
[MemoryDiagnoser]
public class LineProtocolWriteBenchmarks
{
    private const int Lines = 1000;

    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private readonly SampleLineEncoder _encoder = new();
    private LineProtocolWriter _writer = null!;
    private Sample[] _samples = [];

    [GlobalSetup]
    public void Setup()
    {
        _writer = new LineProtocolWriter(_buffer);
        var path = new AssetPath("plant-1", "press shop", "L1", "P101", "spindle_speed");
        _samples = Enumerable.Range(0, Lines)
            .Select(i => Sample.Create(path, 1_700_000_000_000_000_000 + i, SampleValue.FromDouble(1500.125 + (i * 0.37)), 0))
            .ToArray();
    }

    [Benchmark(OperationsPerInvoke = Lines * 5)]
    public int WriteMixedFields()
    {
        _buffer.ResetWrittenCount();
        var writer = _writer;
        for (var i = 0; i < Lines; i++)
        {
            writer.WriteMeasurement("machine");
            writer.WriteTag("machine", "P101");
            writer.WriteTag("site", "plant-1");
            writer.WriteFloatField("temp", 21.5 + i);
            writer.WriteIntegerField("count", 120_000 + i);
            writer.WriteBooleanField("alarm", false);
            writer.WriteStringField("state", "running");
            writer.WriteFloatField("power", 12.75);
            writer.EndLine(1_700_000_000_000_000_000 + i);
        }

        return _buffer.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Lines * 5)]
    public int WriteFloatFields()
    {
        _buffer.ResetWrittenCount();
        var writer = _writer;
        for (var i = 0; i < Lines; i++)
        {
            var v = 1500.125 + (i * 0.37);
            writer.WriteMeasurement("machine");
            writer.WriteFloatField("a", v);
            writer.WriteFloatField("b", v * 1.5);
            writer.WriteFloatField("c", -v);
            writer.WriteFloatField("d", v / 3);
            writer.WriteFloatField("e", 0.001 * i);
            writer.EndLine(1_700_000_000_000_000_000 + i);
        }

        return _buffer.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int EncodeSamples()
    {
        _buffer.ResetWrittenCount();
        _encoder.Write(_writer, _samples);
        return _buffer.WrittenCount;
    }
}
