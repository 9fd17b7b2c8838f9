namespace Telemetry.Edge.Mqtt;

/// <summary>How a message's payload carries its values.</summary>
public enum MqttPayloadFormat
{
    /// <summary>A number, `true`/`false`, or else a string (UTF-8): one value, stamped with the receive time.</summary>
    Plain = 0,

    /// <summary>JSON with paths for value, timestamp and quality, or many values in one object/array (<see cref="MqttJsonMapping"/>).</summary>
    Json = 1,

    /// <summary>Sparkplug B (spBv1.0) protobuf payloads: births, data, deaths; names from the birth certificates.</summary>
    SparkplugB = 2,
}

/// <summary>Unit of a numeric JSON timestamp.</summary>
public enum MqttTimestampUnit
{
    Milliseconds = 0,
    Seconds = 1,
    Microseconds = 2,
    Nanoseconds = 3,
}

/// <summary>
/// Where values sit in a JSON payload. Paths are dotted member names from the root (`data.temp`); `$` is the root
/// itself. With <see cref="ValuesPath"/> one message carries many values: an object whose members are tags
/// (`{"temp": 21.5, "rpm": 1200}`), or an array of items each with a tag, a value and optionally a timestamp and
/// quality (paths inside the item; a missing item timestamp falls back to the message's).
/// </summary>
public sealed record MqttJsonMapping
{
    public string ValuePath { get; init; } = "value";

    public string? TimestampPath { get; init; }

    public MqttTimestampUnit TimestampUnit { get; init; } = MqttTimestampUnit.Milliseconds;

    /// <summary>A number (OPC UA status code), a bool (true = good) or "good"/"uncertain"/"bad".</summary>
    public string? QualityPath { get; init; }

    public string? ValuesPath { get; init; }

    /// <summary>For an array at <see cref="ValuesPath"/>: the member naming each item's tag.</summary>
    public string ItemTagPath { get; init; } = "tag";

    internal void Validate(string where)
    {
        CheckPath(ValuePath, nameof(ValuePath), where);
        CheckPath(TimestampPath, nameof(TimestampPath), where);
        CheckPath(QualityPath, nameof(QualityPath), where);
        CheckPath(ValuesPath, nameof(ValuesPath), where);
        CheckPath(ItemTagPath, nameof(ItemTagPath), where);
        if (!Enum.IsDefined(TimestampUnit))
        {
            throw new ArgumentException($"{where}: Json.TimestampUnit must be Milliseconds, Seconds, Microseconds or Nanoseconds.");
        }
    }

    private static void CheckPath(string? path, string name, string where)
    {
        if (path is null)
        {
            return;
        }

        if (path.Length == 0 || (path != "$" && path.Split('.').Any(string.IsNullOrEmpty)))
        {
            throw new ArgumentException($"{where}: Json.{name} '{path}' is not a dotted path (e.g. 'data.value', or '$' for the root).");
        }
    }
}

/// <summary>
/// Maps messages on topics matching <see cref="Topic"/> to asset paths. The topic is a template: levels are literals,
/// `+`, `#` (last), or placeholders `{site}`, `{area}`, `{line}`, `{machine}`, `{tag}` that take the level's text
/// (e.g. `plant/{line}/{machine}/{tag}`). Parts not in the template come from the constant properties. For Sparkplug B,
/// machine is the device id (or the edge node id for node metrics) and tag the metric name; area and line default to
/// the group and edge node ids.
/// </summary>
public sealed record MqttMappingRule
{
    private static readonly string[] Placeholders = ["site", "area", "line", "machine", "tag"];

    public required string Topic { get; init; }

    public MqttPayloadFormat Format { get; init; } = MqttPayloadFormat.Plain;

    public string? Site { get; init; }

    public string? Area { get; init; }

    public string? Line { get; init; }

    public string? Machine { get; init; }

    public string? Tag { get; init; }

    /// <summary>Required for <see cref="MqttPayloadFormat.Json"/>; null uses the defaults (`value`).</summary>
    public MqttJsonMapping? Json { get; init; }

    /// <summary>The subscription filter the template stands for (placeholders become `+`).</summary>
    public string Filter => string.Join('/', Topic.Split('/').Select(l => IsPlaceholder(l) ? "+" : l));

    internal static bool IsPlaceholder(string level) => level.Length > 2 && level[0] == '{' && level[^1] == '}';

    internal bool HasPlaceholder(string name) => Topic.Split('/').Contains("{" + name + "}");

    internal static void ValidateAll(IReadOnlyList<MqttMappingRule>? rules, string where)
    {
        if (rules is null || rules.Count == 0)
        {
            throw new ArgumentException($"{where}: at least one mapping rule is needed (topic template -> asset path).");
        }

        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is null)
            {
                throw new ArgumentException($"{where}: Rules[{i}] is null.");
            }

            rules[i].Validate($"{where}, Rules[{i}] ('{rules[i].Topic}')");
        }
    }

    internal void Validate(string where)
    {
        if (string.IsNullOrEmpty(Topic))
        {
            throw new ArgumentException($"{where}: Topic must be a template such as 'plant/{{line}}/{{machine}}/{{tag}}'.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var level in Topic.Split('/'))
        {
            if (IsPlaceholder(level))
            {
                var name = level[1..^1];
                if (!Placeholders.Contains(name))
                {
                    throw new ArgumentException($"{where}: unknown placeholder '{level}'; use {{site}}, {{area}}, {{line}}, {{machine}} or {{tag}}.");
                }

                if (!seen.Add(name))
                {
                    throw new ArgumentException($"{where}: placeholder '{level}' appears twice.");
                }
            }
            else if (level.Contains('{', StringComparison.Ordinal) || level.Contains('}', StringComparison.Ordinal))
            {
                throw new ArgumentException($"{where}: level '{level}' must be a whole placeholder like '{{machine}}' or have no braces.");
            }
        }

        TopicFilterRules.ValidateFilter(Filter, where);
        if (!Enum.IsDefined(Format))
        {
            throw new ArgumentException($"{where}: Format must be Plain, Json or SparkplugB.");
        }

        Require("site", Site, where);
        if (Format == MqttPayloadFormat.SparkplugB)
        {
            if (seen.Count > 1 || (seen.Count == 1 && !seen.Contains("site")))
            {
                throw new ArgumentException($"{where}: a Sparkplug B rule takes machine and tag from the payload; only {{site}} may be a placeholder (use e.g. 'spBv1.0/#').");
            }

            if (Json is not null)
            {
                throw new ArgumentException($"{where}: Json settings do not apply to a Sparkplug B rule.");
            }

            return;
        }

        Require("machine", Machine, where);
        var manyValues = Format == MqttPayloadFormat.Json && Json?.ValuesPath is not null;
        if (!manyValues)
        {
            Require("tag", Tag, where);
        }

        if (Format == MqttPayloadFormat.Plain && Json is not null)
        {
            throw new ArgumentException($"{where}: Json settings need Format = Json.");
        }

        Json?.Validate(where);
    }

    private void Require(string part, string? constant, string where)
    {
        if (!HasPlaceholder(part) && string.IsNullOrEmpty(constant))
        {
            var property = char.ToUpperInvariant(part[0]) + part[1..];
            throw new ArgumentException($"{where}: the {part} is neither a {{{part}}} placeholder in the topic nor set as {property}.");
        }

        if (HasPlaceholder(part) && constant is not null)
        {
            var property = char.ToUpperInvariant(part[0]) + part[1..];
            throw new ArgumentException($"{where}: {property} is set but the topic also has a {{{part}}} placeholder; keep one.");
        }
    }
}
