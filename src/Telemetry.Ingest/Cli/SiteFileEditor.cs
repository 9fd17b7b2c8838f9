using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Telemetry.Ingest.Cli;

/// <summary>
/// Adds a token hash for a site to the configuration file's text, keeping its comments and layout: a new site entry
/// under <c>sites:</c> (the key is added when missing), or one more hash in an existing site's <c>tokens</c>.
/// </summary>
public static class SiteFileEditor
{
    public static string AddToken(string yaml, string site, string hash)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var lines = yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        var sitesKey = root?.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == "sites");
        if (root is null || sitesKey is null)
        {
            while (lines.Count > 0 && lines[^1].Length == 0)
            {
                lines.RemoveAt(lines.Count - 1);
            }

            lines.AddRange(["sites:", $"  - name: {site}", $"    tokens: [{hash}]", string.Empty]);
            return string.Join('\n', lines);
        }

        var sitesNode = root.Children[sitesKey];
        if (sitesNode is YamlSequenceNode { Style: SequenceStyle.Flow, Children.Count: 0 } or YamlScalarNode)
        {
            // "sites: []" or "sites:" with nothing: make it a block list.
            var line = (int)sitesKey.Start.Line - 1;
            lines[line] = lines[line][..((int)sitesKey.Start.Column - 1)] + "sites:";
            lines.InsertRange(line + 1, [$"  - name: {site}", $"    tokens: [{hash}]"]);
            return string.Join('\n', lines);
        }

        if (sitesNode is not YamlSequenceNode sequence || sequence.Style == SequenceStyle.Flow)
        {
            throw new InvalidOperationException("'sites' is not a block list (lines starting with '- '); add the site by hand.");
        }

        foreach (var item in sequence.Children.OfType<YamlMappingNode>())
        {
            var name = item.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "name" }).Value as YamlScalarNode;
            if (name?.Value != site)
            {
                continue;
            }

            var tokensEntry = item.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "tokens" });
            if (tokensEntry.Key is null)
            {
                var at = (int)name.Start.Line - 1;
                var indent = new string(' ', (int)item.Start.Column - 1);
                lines.Insert(at + 1, $"{indent}tokens: [{hash}]");
                return string.Join('\n', lines);
            }

            if (tokensEntry.Value is YamlSequenceNode { Style: SequenceStyle.Flow } flow)
            {
                // YamlDotNet's End marks are not where a node ends: find the closing ']' from the start.
                var (endLine, close) = FindClosingBracket(lines, (int)flow.Start.Line - 1, (int)flow.Start.Column - 1);
                var text = lines[endLine];
                lines[endLine] = text[..close] + (flow.Children.Count == 0 ? hash : ", " + hash) + text[close..];
                return string.Join('\n', lines);
            }

            if (tokensEntry.Value is YamlSequenceNode block && block.Children.Count > 0)
            {
                var first = block.Children[0];
                var last = block.Children[^1];
                var indent = new string(' ', (int)first.Start.Column - 3);
                lines.Insert((int)last.Start.Line, $"{indent}- {hash}");
                return string.Join('\n', lines);
            }

            throw new InvalidOperationException($"site '{site}': 'tokens' is not a list; fix it by hand.");
        }

        // A new site after the last line of the list: the list goes on while lines are blank, comments, indented
        // deeper than the 'sites' key, or list items at the key's own column.
        var itemIndent = new string(' ', (int)sequence.Children[0].Start.Column - 3);
        var keyColumn = (int)sitesKey.Start.Column - 1;
        var insertAt = (int)sitesKey.Start.Line;
        for (var i = insertAt; i < lines.Count; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var indent = line.Length - trimmed.Length;
            if (indent > keyColumn || (indent == keyColumn && trimmed.StartsWith('-')))
            {
                insertAt = i + 1;
                continue;
            }

            break;
        }

        lines.InsertRange(Math.Min(insertAt, lines.Count), [$"{itemIndent}- name: {site}", $"{itemIndent}  tokens: [{hash}]"]);
        return string.Join('\n', lines);
    }

    private static (int Line, int Column) FindClosingBracket(List<string> lines, int line, int column)
    {
        for (var l = line; l < lines.Count; l++)
        {
            var close = lines[l].IndexOf(']', l == line ? column : 0);
            if (close >= 0)
            {
                return (l, close);
            }
        }

        throw new InvalidOperationException("a 'tokens' list has no closing ']'; fix it by hand.");
    }
}
