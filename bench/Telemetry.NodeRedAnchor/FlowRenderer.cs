using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Telemetry.NodeRedAnchor;

/// <summary>
/// Renders bench/anchors/node-red/flow.template.json into a Node-RED flow file: every JSON string value that is
/// exactly "${NAME}" is replaced by the value given for NAME (a string, a number or a JSON text kept as a string).
/// The template stays valid JSON; an unknown or missing token is an error naming the template and the token.
/// </summary>
internal static class FlowRenderer
{
    public static string Render(string templatePath, string endpoint, IReadOnlyList<string> nodeIds, NodeRedSubscribeMode mode, TimeSpan samplingInterval, Uri influxUrl, string database, string measurement)
    {
        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal)
        {
            ["OPCUA_ENDPOINT"] = JsonValue.Create(endpoint),
            ["INFLUX_HOST"] = JsonValue.Create(influxUrl.Host),
            ["INFLUX_PORT"] = JsonValue.Create(influxUrl.Port.ToString(CultureInfo.InvariantCulture)),
            ["INFLUX_DATABASE"] = JsonValue.Create(database),
            ["INFLUX_MEASUREMENT"] = JsonValue.Create(measurement),
            ["INTERVAL_MS"] = JsonValue.Create((long)Math.Round(samplingInterval.TotalMilliseconds)),
            ["SUBSCRIBE_MODE"] = JsonValue.Create(mode == NodeRedSubscribeMode.Group ? "group" : "per-item"),
            ["NODE_IDS_JSON"] = JsonValue.Create(ToJsonArray(nodeIds)),
        };
        return Render(templatePath, File.ReadAllText(templatePath), values);
    }

    public static string Render(string templateName, string template, IReadOnlyDictionary<string, JsonNode> values)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(template);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{templateName}:{ex.LineNumber + 1}: not valid JSON: {ex.Message}", ex);
        }

        if (root is not JsonArray)
        {
            throw new FormatException($"{templateName}: a Node-RED flow file is a JSON array of nodes.");
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        Visit(root, templateName, values, used, "$");
        foreach (var name in values.Keys)
        {
            if (!used.Contains(name))
            {
                throw new FormatException($"{templateName}: no \"${{{name}}}\" in the template (it is out of date with Telemetry.NodeRedAnchor).");
            }
        }

        return root.ToJsonString();
    }

    private static string ToJsonArray(IReadOnlyList<string> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item);
        }

        return array.ToJsonString();
    }

    // Replaces token values in place (children of objects and arrays; a bare token at the root is not a flow).
    private static void Visit(JsonNode? node, string templateName, IReadOnlyDictionary<string, JsonNode> values, HashSet<string> used, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var childPath = path + "." + key;
                    if (Token(obj[key], templateName, values, used, childPath) is { } replacement)
                    {
                        obj[key] = replacement;
                    }
                    else
                    {
                        Visit(obj[key], templateName, values, used, childPath);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var childPath = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
                    if (Token(array[i], templateName, values, used, childPath) is { } replacement)
                    {
                        array[i] = replacement;
                    }
                    else
                    {
                        Visit(array[i], templateName, values, used, childPath);
                    }
                }

                break;
        }
    }

    private static JsonNode? Token(JsonNode? node, string templateName, IReadOnlyDictionary<string, JsonNode> values, HashSet<string> used, string path)
    {
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text) || !text.StartsWith("${", StringComparison.Ordinal) || !text.EndsWith('}'))
        {
            return null;
        }

        var name = text[2..^1];
        if (!values.TryGetValue(name, out var replacement))
        {
            throw new FormatException($"{templateName}: {path} names an unknown token \"{text}\".");
        }

        used.Add(name);
        return replacement.DeepClone();
    }
}
