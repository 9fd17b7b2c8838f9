using YamlDotNet.RepresentationModel;

namespace Telemetry.Ingest.Cli;

/// <summary>
/// Adds a dashboard user to the configuration file's text, keeping its comments and layout: a new entry under
/// <c>users:</c> (the key is added at the end when missing), or a new <c>passwordHash</c> for an existing user (a
/// password change; its site or role must stay the same).
/// </summary>
public static class UserFileEditor
{
    /// <param name="site">The user's site, or null for an operator.</param>
    public static string SetUser(string yaml, string user, string? site, string passwordHash)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(passwordHash);
        var lines = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        var usersKey = root?.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == "users");
        if (root is null || usersKey is null)
        {
            while (lines.Count > 0 && lines[^1].Length == 0)
            {
                lines.RemoveAt(lines.Count - 1);
            }

            lines.Add("users:");
            lines.AddRange(Entry("  ", user, site, passwordHash));
            lines.Add(string.Empty);
            return string.Join('\n', lines);
        }

        var usersNode = root.Children[usersKey];
        if (usersNode is YamlSequenceNode { Style: YamlDotNet.Core.Events.SequenceStyle.Flow, Children.Count: 0 } or YamlScalarNode)
        {
            var line = (int)usersKey.Start.Line - 1;
            lines[line] = lines[line][..((int)usersKey.Start.Column - 1)] + "users:";
            lines.InsertRange(line + 1, Entry("  ", user, site, passwordHash));
            return string.Join('\n', lines);
        }

        if (usersNode is not YamlSequenceNode sequence || sequence.Style == YamlDotNet.Core.Events.SequenceStyle.Flow)
        {
            throw new InvalidOperationException("'users' is not a block list (lines starting with '- '); add the user by hand.");
        }

        foreach (var item in sequence.Children.OfType<YamlMappingNode>())
        {
            if (Scalar(item, "name") is not { } name || !string.Equals(name.Value, user, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var existingSite = Scalar(item, "site")?.Value;
            var isOperator = Scalar(item, "role")?.Value == "operator";
            if (isOperator ? site is not null : existingSite != site)
            {
                var was = isOperator ? "an operator" : $"of site '{existingSite}'";
                throw new InvalidOperationException($"user '{user}' exists {was}; change its site or role by hand (this command only sets its password).");
            }

            var hashKey = item.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == "passwordHash");
            if (hashKey is null || item.Children[hashKey] is not YamlScalarNode hashValue || hashValue.Start.Line != hashKey.Start.Line)
            {
                throw new InvalidOperationException($"user '{user}': 'passwordHash' is missing or not on one line; fix it by hand.");
            }

            var at = (int)hashValue.Start.Line - 1;
            var text = lines[at];
            var start = (int)hashValue.Start.Column - 1;
            var end = start + (hashValue.Value?.Length ?? 0) + (hashValue.Style is YamlDotNet.Core.ScalarStyle.Plain ? 0 : 2);
            lines[at] = text[..start] + passwordHash + text[Math.Min(end, text.Length)..];
            return string.Join('\n', lines);
        }

        // A new user after the list's last line: the list goes on while lines are blank, comments, indented deeper
        // than the 'users' key, or list items at the key's own column.
        var itemIndent = new string(' ', (int)sequence.Children[0].Start.Column - 3);
        var keyColumn = (int)usersKey.Start.Column - 1;
        var insertAt = (int)usersKey.Start.Line;
        for (var i = insertAt; i < lines.Count; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var indent = lines[i].Length - trimmed.Length;
            if (indent > keyColumn || (indent == keyColumn && trimmed.StartsWith('-')))
            {
                insertAt = i + 1;
                continue;
            }

            break;
        }

        lines.InsertRange(Math.Min(insertAt, lines.Count), Entry(itemIndent, user, site, passwordHash));
        return string.Join('\n', lines);
    }

    private static string[] Entry(string indent, string user, string? site, string hash) =>
    [
        $"{indent}- name: {user}",
        site is null ? $"{indent}  role: operator" : $"{indent}  site: {site}",
        $"{indent}  passwordHash: {hash}",
    ];

    private static YamlScalarNode? Scalar(YamlMappingNode item, string key) =>
        item.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode k && k.Value == key).Value as YamlScalarNode;
}
