namespace Telemetry.Ingest.Live;

/// <summary>
/// A comma list of glob patterns ("cnc-*,press-?"): `*` matches any run of characters, `?` one character, the rest
/// matches itself (ordinal, case-sensitive). Empty or "*" matches everything. Matching allocates nothing.
/// </summary>
public sealed class GlobPattern
{
    private readonly string[] _alternatives;
    private readonly bool _exact;

    private GlobPattern(string text, string[] alternatives, bool matchesAll, bool exact = false)
    {
        Text = text;
        _alternatives = alternatives;
        MatchesAll = matchesAll;
        _exact = exact;
    }

    /// <summary>Matches every name.</summary>
    public static GlobPattern All { get; } = new("*", [], matchesAll: true);

    /// <summary>The pattern as given (after trimming).</summary>
    public string Text { get; }

    public bool MatchesAll { get; }

    /// <summary>Parses a comma list; null, empty or any alternative "*" means all. Throws <see cref="FormatException"/> for an empty item ("a,,b").</summary>
    public static GlobPattern Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                throw new FormatException($"'{text}' has an empty pattern between commas; write e.g. 'cnc-*,press-1'.");
            }

            if (part == "*")
            {
                return All;
            }
        }

        return new GlobPattern(text.Trim(), parts, matchesAll: false);
    }

    /// <summary>An exact name (no wildcards interpreted), e.g. the caller's own site.</summary>
    public static GlobPattern Exactly(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new GlobPattern(name, [name], matchesAll: false, exact: true);
    }

    public bool IsMatch(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (MatchesAll)
        {
            return true;
        }

        foreach (var alternative in _alternatives)
        {
            if (_exact ? string.Equals(alternative, value, StringComparison.Ordinal) : Matches(alternative, value))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Text;

    /// <summary>Iterative wildcard match with one backtrack point (the last `*`): linear in practice, no recursion.</summary>
    private static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == value[v])))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
