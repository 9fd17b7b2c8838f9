using System.Text;
using Telemetry.LineProtocol;

namespace Telemetry.LineProtocol.Tests;

/// <summary>Seeded generator of hostile but writable points: spaces, commas, equals, quotes, backslashes,
/// '#', tabs, CR, unicode and emoji in every name; newlines, quotes and backslashes in strings; 64 KiB strings.</summary>
public sealed class HostileData(int seed)
{
    private static readonly string[] Pieces =
    [
        "a", "b", "Z", "0", "9", "_", "-", ".", " ", ",", "=", "\"", "\\", "'", "#", "\t", "\r", "/", "*",
        "é", "ß", "日本", "ключ", "🚀", "😀", "\u00A0", "\u200B", "\uFFFD", "\uFF21", "\\,", "\\ ", "\\=", "\\\\",
    ];

    private static readonly string[] StringPieces = [.. Pieces, "\n", "\r\n", "\"\"", "\\\"", "\0"];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>A name line protocol can carry: not empty, no newline, no trailing backslash.</summary>
    public string Name(int maxPieces = 6, bool measurement = false)
    {
        var builder = new StringBuilder();
        var count = _random.Next(1, maxPieces + 1);
        for (var i = 0; i < count; i++)
        {
            builder.Append(Pieces[_random.Next(Pieces.Length)]);
        }

        // A backslash right before ',', '=', ' ', '"' or another backslash (or at the end) cannot be written: keep it apart with 'x'.
        while (builder.ToString().Contains("\\\\", StringComparison.Ordinal))
        {
            builder.Replace("\\\\", "\\x\\");
        }

        builder.Replace("\\,", "\\x,").Replace("\\=", "\\x=").Replace("\\ ", "\\x ").Replace("\\\"", "\\x\"");
        while (builder.Length > 0 && builder[^1] == '\\')
        {
            builder.Length--;
        }

        if (builder.Length == 0 || (measurement && builder[0] is '#' or '\t'))
        {
            builder.Insert(0, 'm');
        }

        return builder.ToString();
    }

    public string StringValue()
    {
        var roll = _random.Next(2000);
        if (roll == 0)
        {
            return new string('x', 65_536 - 3) + "\"\\\n";
        }

        if (roll < 50)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        var count = _random.Next(1, 12);
        for (var i = 0; i < count; i++)
        {
            builder.Append(StringPieces[_random.Next(StringPieces.Length)]);
        }

        return builder.ToString();
    }

    public double Double()
    {
        return _random.Next(8) switch
        {
            0 => 0.0,
            1 => -0.0,
            2 => double.MaxValue * (_random.Next(2) == 0 ? 1 : -1),
            3 => double.Epsilon * _random.Next(1, 1000),
            4 => Math.Round(_random.NextDouble() * 1000, _random.Next(0, 6)),
            _ => FiniteBits(),
        };
    }

    public long Int64() => _random.Next(6) switch
    {
        0 => long.MinValue,
        1 => long.MaxValue,
        2 => _random.Next(-1000, 1000),
        _ => _random.NextInt64(long.MinValue, long.MaxValue),
    };

    public ulong UInt64() => _random.Next(4) switch
    {
        0 => ulong.MaxValue,
        1 => 0,
        _ => (ulong)_random.NextInt64() * 2 + (ulong)_random.Next(2),
    };

    public TestPoint Point()
    {
        var measurement = Name(measurement: true);
        var tags = new List<KeyValuePair<string, string>>();
        var tagCount = _random.Next(0, 5);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tagCount; i++)
        {
            var key = Name();
            if (keys.Add(key))
            {
                tags.Add(new(key, Name()));
            }
        }

        var fields = new List<TestField>();
        var fieldCount = _random.Next(1, 6);
        for (var i = 0; i < fieldCount; i++)
        {
            var type = (LineProtocolFieldType)_random.Next(5);
            object value = type switch
            {
                LineProtocolFieldType.Float => Double(),
                LineProtocolFieldType.Integer => Int64(),
                LineProtocolFieldType.Unsigned => UInt64(),
                LineProtocolFieldType.Boolean => _random.Next(2) == 0,
                _ => StringValue(),
            };
            fields.Add(new TestField(Name(), type, value));
        }

        long? timestamp = _random.Next(10) == 0 ? null : _random.Next(4) == 0 ? _random.NextInt64(long.MinValue, long.MaxValue) : 1_700_000_000_000_000_000L + _random.NextInt64(0, 1_000_000_000_000_000);
        return new TestPoint(measurement, tags, fields, timestamp);
    }

    private double FiniteBits()
    {
        while (true)
        {
            var value = BitConverter.Int64BitsToDouble(_random.NextInt64(long.MinValue, long.MaxValue));
            if (double.IsFinite(value))
            {
                return value;
            }
        }
    }
}
