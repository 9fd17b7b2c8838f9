namespace Telemetry.Edge.Mqtt;

/// <summary>MQTT topic filter syntax (MQTT 3.1.1 §4.7, MQTT 5 §4.7): `+` a whole level, `#` the last level only.</summary>
internal static class TopicFilterRules
{
    public static void ValidateFilter(string? filter, string where)
    {
        if (string.IsNullOrEmpty(filter))
        {
            throw new ArgumentException($"{where}: the topic filter must not be empty.");
        }

        if (filter.Length > 65535 || filter.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{where}: topic filter '{filter}' is longer than 65,535 characters or contains NUL.");
        }

        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#', StringComparison.Ordinal) && (level != "#" || i != levels.Length - 1))
            {
                throw new ArgumentException($"{where}: in topic filter '{filter}' '#' must be a whole level and the last one.");
            }

            if (level.Contains('+', StringComparison.Ordinal) && level != "+")
            {
                throw new ArgumentException($"{where}: in topic filter '{filter}' '+' must be a whole level (e.g. 'plant/+/temp').");
            }
        }
    }

    /// <summary>True when <paramref name="topic"/> matches <paramref name="filter"/> (no `$` topics for leading wildcards).</summary>
    public static bool Matches(string filter, string topic)
    {
        if (topic.Length > 0 && topic[0] == '$' && filter.Length > 0 && (filter[0] == '+' || filter[0] == '#'))
        {
            return false;
        }

        var f = filter.AsSpan();
        var t = topic.AsSpan();
        while (true)
        {
            var fi = f.IndexOf('/');
            var fLevel = fi < 0 ? f : f[..fi];
            if (fLevel.SequenceEqual("#"))
            {
                return true;
            }

            var ti = t.IndexOf('/');
            var tLevel = ti < 0 ? t : t[..ti];
            if (!fLevel.SequenceEqual("+") && !fLevel.SequenceEqual(tLevel))
            {
                return false;
            }

            if (fi < 0 || ti < 0)
            {
                // "a/#" also matches "a" (the parent level).
                return fi < 0 && ti < 0 || (ti < 0 && f[(fi + 1)..].SequenceEqual("#"));
            }

            f = f[(fi + 1)..];
            t = t[(ti + 1)..];
        }
    }
}
