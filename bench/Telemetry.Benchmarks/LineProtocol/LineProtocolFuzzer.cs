using System.Buffers;
using System.Globalization;
using Telemetry.LineProtocol;

namespace Telemetry.Benchmarks.LineProtocol;

/// <summary>Counts of one fuzz run.</summary>
public readonly record struct LineProtocolFuzzStats(long Inputs, long LinesRead, long Rejected, long Bytes);

/// <summary>
/// Seeded random inputs through the strict parser: random bytes from a line-protocol-heavy alphabet, valid
/// batches with byte mutations, truncations and splices, read whole and split into two blocks (the incomplete-line
/// path), with default and tight limits. Only <see cref="LineProtocolException"/> may come out; anything else is
/// rethrown as <see cref="InvalidOperationException"/> naming the seed, the input index and its bytes.
/// Shared by the test suite (FuzzTests) and `dotnet run -c Release --project bench/Telemetry.Benchmarks -- fuzz-lp N`.
/// </summary>
public static class LineProtocolFuzzer
{
    private static readonly byte[] Alphabet = " ,=\"\\\n\r\t#-+.0123456789eEiutfTFaN"u8.ToArray();

    private static readonly string[] Seeds =
    [
        "cpu,host=a,region=eu value=1.5,count=3i,ok=true,name=\"x y\" 1700000000000000000\n",
        "m\\,x\\ y,t\\=k=v\\ \\,\\=\\\\a f\\=\\ k=1u,s=\"a\\\"b\\\\c\nd\" -1\n",
        "# comment\r\n\r\nmachine,area=press,line=L1,machine=P1,site=S temp=21.5,temp_quality=2150629376i 1\r\n",
        "m s=\"日本🚀\",b=F,e=1e-300,n=-0 9223372036854775807\n",
        "  m,a=1,b=2   v=.5,w=5.,x=1E+20    123   \n",
    ];

    public static LineProtocolFuzzStats Run(int seed, long count, Action<long>? progress = null)
    {
        var random = new Random(seed);
        var parsers = new[]
        {
            new LineProtocolParser(),
            new LineProtocolParser(new LineProtocolLimits { MaxLineLength = 40, MaxTags = 2, MaxFields = 3, MaxNameLength = 8, MaxStringLength = 5 }, TimestampPrecision.Seconds),
            new LineProtocolParser(precision: TimestampPrecision.Milliseconds),
        };
        var corpus = Seeds.Select(s => System.Text.Encoding.UTF8.GetBytes(s)).ToArray();
        var input = new ArrayBufferWriter<byte>(4096);
        var scratch = new byte[1 << 16];
        long lines = 0, rejected = 0, bytes = 0;
        for (long n = 0; n < count; n++)
        {
            input.ResetWrittenCount();
            MakeInput(random, corpus, input);
            var data = input.WrittenSpan;
            bytes += data.Length;
            var parser = parsers[random.Next(parsers.Length)];
            try
            {
                if (random.Next(3) == 0)
                {
                    lines += ReadSplit(parser, data, random.Next(data.Length + 1), scratch);
                }
                else
                {
                    lines += ReadAll(parser, data, scratch);
                }
            }
            catch (LineProtocolException)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException(
                    $"fuzz seed {seed.ToString(CultureInfo.InvariantCulture)} input {n.ToString(CultureInfo.InvariantCulture)}: {ex.GetType().Name} escaped for bytes {Convert.ToHexString(data)}", ex);
            }

            if (progress is not null && (n & 0xFFFFF) == 0xFFFFF)
            {
                progress(n + 1);
            }
        }

        return new LineProtocolFuzzStats(count, lines, rejected, bytes);
    }

    private static int ReadAll(LineProtocolParser parser, ReadOnlySpan<byte> data, byte[] scratch)
    {
        var reader = parser.CreateReader(data);
        var lines = 0;
        while (reader.TryReadLine(out var line))
        {
            Touch(line, scratch);
            lines++;
        }

        return lines;
    }

    private static int ReadSplit(LineProtocolParser parser, ReadOnlySpan<byte> data, int cut, byte[] scratch)
    {
        var reader = parser.CreateReader(data[..cut], isFinalBlock: false);
        var lines = 0;
        while (reader.TryReadLine(out var line))
        {
            Touch(line, scratch);
            lines++;
        }

        var rest = parser.CreateReader(data[reader.BytesConsumed..], isFinalBlock: true, reader.LineNumber);
        while (rest.TryReadLine(out var line))
        {
            Touch(line, scratch);
            lines++;
        }

        return lines;
    }

    private static void Touch(in LineProtocolLine line, byte[] scratch)
    {
        line.Measurement.CopyTo(scratch);
        for (var i = 0; i < line.TagCount; i++)
        {
            var tag = line.GetTag(i);
            tag.Key.CopyTo(scratch);
            tag.Value.CopyTo(scratch);
        }

        for (var i = 0; i < line.FieldCount; i++)
        {
            var field = line.GetField(i);
            field.Key.CopyTo(scratch);
            switch (field.Type)
            {
                case LineProtocolFieldType.Float:
                    _ = field.FloatValue;
                    break;
                case LineProtocolFieldType.Integer:
                    _ = field.IntegerValue;
                    break;
                case LineProtocolFieldType.Unsigned:
                    _ = field.UnsignedValue;
                    break;
                case LineProtocolFieldType.Boolean:
                    _ = field.BooleanValue;
                    break;
                default:
                    field.StringValue.CopyTo(scratch);
                    break;
            }
        }
    }

    private static void MakeInput(Random random, byte[][] corpus, ArrayBufferWriter<byte> output)
    {
        switch (random.Next(5))
        {
            case 0:
            {
                var length = random.Next(0, 120);
                var span = output.GetSpan(length);
                for (var i = 0; i < length; i++)
                {
                    span[i] = random.Next(4) == 0 ? (byte)random.Next(256) : Alphabet[random.Next(Alphabet.Length)];
                }

                output.Advance(length);
                break;
            }

            case 1:
            case 2:
            {
                AppendCorpus(random, corpus, output, random.Next(1, 4));
                var mutations = random.Next(1, 6);
                var data = output.WrittenMemory.ToArray();
                output.ResetWrittenCount();
                var list = new List<byte>(data);
                for (var m = 0; m < mutations && list.Count > 0; m++)
                {
                    var at = random.Next(list.Count);
                    switch (random.Next(4))
                    {
                        case 0:
                            list[at] = Alphabet[random.Next(Alphabet.Length)];
                            break;
                        case 1:
                            list.Insert(at, random.Next(3) == 0 ? (byte)random.Next(256) : Alphabet[random.Next(Alphabet.Length)]);
                            break;
                        case 2:
                            list.RemoveAt(at);
                            break;
                        default:
                            list[at] ^= (byte)(1 << random.Next(8));
                            break;
                    }
                }

                output.Write(list.ToArray());
                break;
            }

            case 3:
            {
                AppendCorpus(random, corpus, output, random.Next(1, 4));
                var data = output.WrittenMemory.ToArray();
                output.ResetWrittenCount();
                output.Write(data.AsSpan(0, random.Next(data.Length + 1)));
                break;
            }

            default:
            {
                var a = corpus[random.Next(corpus.Length)];
                var b = corpus[random.Next(corpus.Length)];
                output.Write(a.AsSpan(0, random.Next(a.Length + 1)));
                output.Write(b.AsSpan(random.Next(b.Length + 1)));
                break;
            }
        }
    }

    private static void AppendCorpus(Random random, byte[][] corpus, ArrayBufferWriter<byte> output, int count)
    {
        for (var i = 0; i < count; i++)
        {
            output.Write(corpus[random.Next(corpus.Length)]);
        }
    }
}
