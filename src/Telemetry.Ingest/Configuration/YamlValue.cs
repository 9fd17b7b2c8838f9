using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Telemetry.Ingest.Configuration;

/// <summary>
/// One node of the YAML file with its key path and position, so that every error names file:line:column and
/// key. Mappings remember which keys were read: <see cref="RefuseUnknownKeys"/> refuses the rest (a typo is
/// never ignored).
/// </summary>
internal sealed partial class YamlValue
{
    private readonly YamlNode _node;
    private readonly YamlDotNet.Core.Mark _where;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlValue(string file, string path, YamlNode node, YamlNode? key = null)
    {
        File = file;
        Path = path;
        _node = node;
        _where = node is YamlScalarNode || key is null ? node.Start : key.Start;
    }

    public string File { get; }

    public string Path { get; }

    public IngestConfigException Error(string problem) =>
        new(File, (int)_where.Line, (int)_where.Column, Path, problem);

    public YamlValue? Optional(string key)
    {
        _read.Add(key);
        foreach (var (k, v) in Mapping().Children)
        {
            if (k is YamlScalarNode { Value: { } name } && name == key)
            {
                return v is YamlScalarNode { Value: null or "" or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain }
                    ? null
                    : new YamlValue(File, Path.Length == 0 ? key : $"{Path}.{key}", v, k);
            }
        }

        return null;
    }

    public YamlValue Required(string key, string what) =>
        Optional(key) ?? throw Error($"'{key}' is missing; expected {what}.");

    public IReadOnlyList<YamlValue> Items()
    {
        if (_node is not YamlSequenceNode sequence)
        {
            throw Error("expected a list (lines starting with '- ').");
        }

        var items = new List<YamlValue>(sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            items.Add(new YamlValue(File, $"{Path}[{i.ToString(CultureInfo.InvariantCulture)}]", sequence.Children[i]));
        }

        return items;
    }

    public string String() =>
        _node is YamlScalarNode { Value: { } value } ? value : throw Error("expected a single value, not a list or a section.");

    public string NonEmpty(string what)
    {
        var value = String().Trim();
        return value.Length > 0 ? value : throw Error($"must not be empty; expected {what}.");
    }

    public int Int(int min, int max)
    {
        var text = String();
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Error($"'{text}' is not a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
    }

    public double Double()
    {
        var text = String();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error($"'{text}' is not a number.");
    }

    public bool Bool() => String() switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        var text => throw Error($"'{text}' is not true or false."),
    };

    /// <summary>250ms, 1s, 5m, 2h (a bare number is refused: the unit matters).</summary>
    public TimeSpan Duration()
    {
        var text = String().Trim();
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            throw Error($"'{text}' is not a duration; expected e.g. 500ms, 1s, 2m, 1h.");
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromHours(number),
        };
    }

    /// <summary>512KiB, 32MiB, 1GiB, 100MB or plain bytes.</summary>
    public long Size()
    {
        var text = String().Trim();
        var match = SizePattern().Match(text);
        if (!match.Success)
        {
            throw Error($"'{text}' is not a size; expected e.g. 512KiB, 32MiB, 100MB.");
        }

        var factor = match.Groups[2].Value switch
        {
            "KB" => 1_000L,
            "KiB" => 1L << 10,
            "MB" => 1_000_000L,
            "MiB" => 1L << 20,
            "GB" => 1_000_000_000L,
            "GiB" => 1L << 30,
            _ => 1L,
        };
        return (long)(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * factor);
    }

    public Uri Url()
    {
        var text = String().Trim();
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw Error($"'{text}' is not a URL; expected http://host:port or https://host:port.");
    }

    public T OneOf<T>(IReadOnlyDictionary<string, T> choices)
    {
        var text = String();
        return choices.TryGetValue(text, out var value) ? value : throw Error($"'{text}' is not one of: {string.Join(", ", choices.Keys)}.");
    }

    /// <summary>A secret: { env: NAME } or { file: /path }; an inline value is refused (it would end up in backups and diffs).</summary>
    public string Secret()
    {
        if (_node is YamlScalarNode)
        {
            throw Error("put secrets in an environment variable ({ env: NAME }) or a file ({ file: /path }), not in this file.");
        }

        if (Optional("env") is { } env)
        {
            var name = env.NonEmpty("an environment variable name");
            RefuseUnknownKeys();
            return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
                ? value
                : throw env.Error($"the environment variable {name} is not set or empty.");
        }

        if (Optional("file") is { } file)
        {
            var path = file.NonEmpty("a file path");
            RefuseUnknownKeys();
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

    public void RefuseUnknownKeys()
    {
        foreach (var (k, _) in Mapping().Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "?";
            if (!_read.Contains(name))
            {
                throw new IngestConfigException(File, (int)k.Start.Line, (int)k.Start.Column, Path.Length == 0 ? name : $"{Path}.{name}",
                    $"unknown key; expected one of: {string.Join(", ", _read.Order(StringComparer.Ordinal))}.");
            }
        }
    }

    private YamlMappingNode Mapping() =>
        _node as YamlMappingNode ?? throw Error("expected a section of 'key: value' lines.");

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$")]
    private static partial Regex SizePattern();
}
