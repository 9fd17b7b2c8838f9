using System.Text;
using BenchmarkDotNet.Attributes;
using Telemetry.LineProtocol;

namespace Telemetry.Benchmarks.LineProtocol;

/// <summary>
/// Parser speed. <see cref="ParseBatch"/>: a realistic batch of the product's schema (4 tags, 1-2 fields,
/// ns timestamps, some escapes and strings), every value read; MB/s = batch bytes / mean time.
/// <see cref="ParseShortLine"/>: "cpu,host=server01 value=0.64 1700000000000000000" (one tag, one field), ns per line.
/// </summary>
[MemoryDiagnoser]
public class LineProtocolParseBenchmarks
{
    private const int ShortLines = 1000;

    private readonly LineProtocolParser _parser = new();
    private byte[] _batch = [];
    private byte[] _short = [];

    public static byte[] RealisticBatch(int lines)
    {
        var text = new StringBuilder();
        var tags = new[] { "spindle_speed", "motor_temp", "pressure", "power_kw", "part_count", "state", "alarm" };
        for (var i = 0; i < lines; i++)
        {
            var tag = tags[i % tags.Length];
            text.Append("machine,area=press\\ shop,line=L").Append(i % 4).Append(",machine=P").Append(100 + (i % 17)).Append(",site=plant-1 ");
            switch (tag)
            {
                case "part_count":
                    text.Append(tag).Append('=').Append(120_000 + i).Append('i');
                    break;
                case "state":
                    text.Append(tag).Append("=\"running\"");
                    break;
                case "alarm":
                    text.Append(tag).Append("=false");
                    break;
                default:
                    text.Append(tag).Append('=').Append((1500.125 + (i * 0.37)).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }

            if (i % 10 == 0)
            {
                text.Append(',').Append(tag).Append("_quality=1083113472i");
            }

            text.Append(' ').Append(1_700_000_000_000_000_000L + (i * 100_000_000L)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [GlobalSetup]
    public void Setup()
    {
        _batch = RealisticBatch(5000);
        _short = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("cpu,host=server01 value=0.64 1700000000000000000\n", ShortLines)));
        Console.WriteLine($"// realistic batch: {_batch.Length} bytes, 5000 lines; short line: {_short.Length / ShortLines} bytes");
    }

    [Benchmark]
    public double ParseBatch()
    {
        var sum = 0.0;
        var reader = _parser.CreateReader(_batch);
        while (reader.TryReadLine(out var line))
        {
            sum += line.TagCount + line.UnixNanoseconds;
            for (var i = 0; i < line.FieldCount; i++)
            {
                var field = line.GetField(i);
                sum += field.Type switch
                {
                    LineProtocolFieldType.Float => field.FloatValue,
                    LineProtocolFieldType.Integer => field.IntegerValue,
                    LineProtocolFieldType.Boolean => field.BooleanValue ? 1 : 0,
                    _ => field.RawValue.Length,
                };
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = ShortLines)]
    public double ParseShortLine()
    {
        var sum = 0.0;
        var reader = _parser.CreateReader(_short);
        while (reader.TryReadLine(out var line))
        {
            sum += line.GetField(0).FloatValue + line.UnixNanoseconds;
        }

        return sum;
    }
}
