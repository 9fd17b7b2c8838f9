namespace Telemetry.LineProtocol;

/// <summary>A tag for <see cref="LineProtocolWriter.WriteTags"/>.</summary>
public readonly record struct LineProtocolTag(string Key, string Value);

/// <summary>
/// Orders strings by Unicode code point, which is the byte order of their UTF-8 form: the order InfluxDB sorts
/// tag keys in (bytes.Compare). Plain ordinal UTF-16 order differs for characters above U+E000 vs surrogate pairs.
/// </summary>
public static class Utf8Order
{
    public static int Compare(ReadOnlySpan<char> left, ReadOnlySpan<char> right)
    {
        var common = Math.Min(left.Length, right.Length);
        var differ = left[..common].CommonPrefixLength(right[..common]);
        if (differ == common)
        {
            return left.Length.CompareTo(right.Length);
        }

        return Fix(left[differ]).CompareTo(Fix(right[differ]));
    }

    // Surrogates (U+D800..U+DFFF) stand for code points above U+FFFF: move them above U+E000..U+FFFF.
    private static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
