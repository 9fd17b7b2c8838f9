using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Telemetry.Edge.Configuration;

/// <summary>
/// A node of the YAML file with its key path and position, so every error can say where it is. Mappings track
/// which keys were read: <see cref="EnsureNoUnknownKeys"/> refuses the rest (a typo is never silently ignored).
/// </summary>
public sealed partial class ConfigNode
{
    private readonly YamlNode _node;
    private readonly YamlDotNet.Core.Mark _where;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <param name="key">The key this value stands under: errors about a whole section or list point at it.</param>
    public ConfigNode(string file, string path, YamlNode node, YamlNode? key = null)
    {
        File = file;
        Path = path;
        _node = node;
        _where = node is YamlScalarNode || key is null ? node.Start : key.Start;
    }

    public string File { get; }

    public string Path { get; }

    public int Line => (int)_where.Line;

    public int Column => (int)_where.Column;

    /// <summary>True for a section of 'key: value' lines (also written { key: value }).</summary>
    public bool IsSection => _node is YamlMappingNode;

    public ConfigException Error(string problem) => new(File, Line, Column, Path, problem);

    public ConfigNode? Optional(string key)
    {
        var map = AsMapping();
        _read.Add(key);
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && name == key)
            {
                return v is YamlScalarNode { Value: null or "" or "~" or "null", Style: not YamlDotNet.Core.ScalarStyle.DoubleQuoted and not YamlDotNet.Core.ScalarStyle.SingleQuoted }
                    ? null
                    : new ConfigNode(File, Join(key), v, k);
            }
        }

        return null;
    }

    public ConfigNode Required(string key, string what) =>
        Optional(key) ?? throw Error($"'{key}' is missing; expected {what}.");

    public IReadOnlyList<ConfigNode> Items()
    {
        if (_node is not YamlSequenceNode sequence)
        {
            throw Error("expected a list (lines starting with '- ').");
        }

        var items = new List<ConfigNode>(sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            items.Add(new ConfigNode(File, $"{Path}[{i.ToString(CultureInfo.InvariantCulture)}]", sequence.Children[i]));
        }

        return items;
    }

    public string String()
    {
        if (_node is not YamlScalarNode { Value: { } value })
        {
            throw Error("expected a single value, not a list or a section.");
        }

        return value;
    }

    public string NonEmptyString(string what)
    {
        var value = String().Trim();
        return value.Length > 0 ? value : throw Error($"must not be empty; expected {what}.");
    }

    /// <summary>Names used in asset paths and line protocol: letters, digits, '-', '_', '.', no spaces.</summary>
    public string Name()
    {
        var value = String();
        return NamePattern().IsMatch(value)
            ? value
            : throw Error($"'{value}' is not a valid name; use letters, digits, '-', '_' or '.' (no spaces, at most 64).");
    }

    public int Int(int min, int max)
    {
        var text = String();
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Error($"'{text}' is not a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
    }

    public double Double(double min, double max)
    {
        var text = String();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Error($"'{text}' is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
    }

    public bool Bool()
    {
        var text = String();
        return text switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error($"'{text}' is not true or false."),
        };
    }

    /// <summary>Durations as 250ms, 1s, 5m, 2h (a bare number is refused: the unit matters).</summary>
    public TimeSpan Duration(TimeSpan min, TimeSpan max)
    {
        var text = String().Trim();
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            throw Error($"'{text}' is not a duration; expected e.g. 500ms, 1s, 2m, 1h.");
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var value = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromHours(number),
        };
        return value >= min && value <= max
            ? value
            : throw Error($"{text} is out of range; expected from {min} to {max}.");
    }

    /// <summary>Sizes as 512MiB, 2GiB, 100MB, or plain bytes.</summary>
    public long Size(long min, long max)
    {
        var text = String().Trim();
        var match = SizePattern().Match(text);
        if (!match.Success)
        {
            throw Error($"'{text}' is not a size; expected e.g. 512MiB, 2GiB, 100MB.");
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var factor = match.Groups[2].Value switch
        {
            "" or "B" => 1L,
            "KB" => 1_000L,
            "KiB" => 1L << 10,
            "MB" => 1_000_000L,
            "MiB" => 1L << 20,
            "GB" => 1_000_000_000L,
            "GiB" => 1L << 30,
            "TB" => 1_000_000_000_000L,
            _ => 1L << 40,
        };
        var value = (long)(number * factor);
        return value >= min && value <= max
            ? value
            : throw Error($"{text} is out of range; expected from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)} bytes.");
    }

    public Uri Url(params string[] schemes)
    {
        var text = String().Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme, StringComparer.Ordinal))
        {
            throw Error($"'{text}' is not a valid URL; expected {string.Join(" or ", schemes.Select(s => s + "://host:port"))}.");
        }

        return uri;
    }

    public T OneOf<T>(IReadOnlyDictionary<string, T> choices)
    {
        var text = String();
        return choices.TryGetValue(text, out var value)
            ? value
            : throw Error($"'{text}' is not one of: {string.Join(", ", choices.Keys)}.");
    }

    /// <summary>
    /// A secret: { env: NAME } or { file: /path } (never required inline; an inline value is accepted only when
    /// <paramref name="allowInline"/>).
    /// </summary>
    public string Secret(Func<string, string?> environment, bool allowInline = false)
    {
        if (_node is YamlScalarNode)
        {
            return allowInline
                ? String()
                : throw Error("put secrets in an environment variable ({ env: NAME }) or a file ({ file: /path }), not in this file.");
        }

        if (Optional("env") is { } env)
        {
            var name = env.NonEmptyString("an environment variable name");
            EnsureNoUnknownKeys();
            return environment(name) is { Length: > 0 } value
                ? value
                : throw env.Error($"the environment variable {name} is not set or empty.");
        }

        if (Optional("file") is { } file)
        {
            var path = file.NonEmptyString("a file path");
            EnsureNoUnknownKeys();
            try
            {
                var value = System.IO.File.ReadAllText(path).Trim();
                return value.Length > 0 ? value : throw file.Error($"the file {path} is empty.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw file.Error($"cannot read {path}: {ex.Message}");
            }
        }

        throw Error("expected { env: NAME } or { file: /path }.");
    }

    public void EnsureNoUnknownKeys()
    {
        foreach (var (k, _) in AsMapping().Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "?";
            if (!_read.Contains(name))
            {
                var known = string.Join(", ", _read.Order(StringComparer.Ordinal));
                throw new ConfigException(File, (int)k.Start.Line, (int)k.Start.Column, Join(name),
                    $"unknown key; expected one of: {known}.");
            }
        }
    }

    private YamlMappingNode AsMapping() =>
        _node as YamlMappingNode ?? throw Error("expected a section of 'key: value' lines.");

    private string Join(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$")]
    private static partial Regex SizePattern();
}
