namespace Telemetry.Edge.Mqtt.Mapping;

/// <summary>
/// A compiled topic template (`plant/{line}/{machine}/{tag}`): matches a topic level by level and captures the
/// placeholder levels as ranges of the topic string, without allocating.
/// </summary>
internal sealed class TopicTemplate
{
    private readonly Level[] _levels;

    public TopicTemplate(string template)
    {
        var parts = template.Split('/');
        _levels = new Level[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            _levels[i] = p switch
            {
                "+" => new Level(LevelKind.Single, null, -1),
                "#" => new Level(LevelKind.Rest, null, -1),
                _ when MqttMappingRule.IsPlaceholder(p) => new Level(LevelKind.Capture, null, PartIndex(p[1..^1])),
                _ => new Level(LevelKind.Literal, p, -1),
            };
        }
    }

    public bool StartsWithWildcard => _levels[0].Kind is LevelKind.Single or LevelKind.Rest or LevelKind.Capture;

    /// <summary>Matches <paramref name="topic"/>; <paramref name="captures"/> gets (start, length) per part: site, area, line, machine, tag.</summary>
    public bool TryMatch(string topic, Span<Range> captures)
    {
        if (topic.Length > 0 && topic[0] == '$' && StartsWithWildcard)
        {
            return false;
        }

        var start = 0;
        for (var i = 0; i < _levels.Length; i++)
        {
            var level = _levels[i];
            if (level.Kind == LevelKind.Rest)
            {
                return true;
            }

            if (start > topic.Length)
            {
                return false;
            }

            var slash = topic.IndexOf('/', start);
            var end = slash < 0 ? topic.Length : slash;
            var text = topic.AsSpan(start, end - start);
            switch (level.Kind)
            {
                case LevelKind.Literal when !text.SequenceEqual(level.Text):
                    return false;
                case LevelKind.Capture:
                    if (text.IsEmpty)
                    {
                        return false;
                    }

                    captures[level.Part] = new Range(start, end);
                    break;
                default:
                    break;
            }

            start = end + 1;
            if (slash < 0)
            {
                // Topic ended: it matches when the template ends too, or only "#" is left.
                return i == _levels.Length - 1 || (i == _levels.Length - 2 && _levels[^1].Kind == LevelKind.Rest);
            }
        }

        return false;
    }

    private static int PartIndex(string name) => name switch
    {
        "site" => 0,
        "area" => 1,
        "line" => 2,
        "machine" => 3,
        _ => 4,
    };

    private enum LevelKind : byte
    {
        Literal,
        Single,
        Rest,
        Capture,
    }

    private readonly record struct Level(LevelKind Kind, string? Text, int Part);
}
