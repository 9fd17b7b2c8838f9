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
                // Insert before the closing ']' (End is just past it).
                var endLine = (int)flow.End.Line - 1;
                var endColumn = (int)flow.End.Column - 1;
                var text = lines[endLine];
                var close = text.LastIndexOf(']', Math.Min(text.Length - 1, endColumn));
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

        // A new site after the last entry of the list.
        var itemIndent = new string(' ', (int)sequence.Children[0].Start.Column - 3);
        var lastLine = (int)sequence.End.Line - 1;
        while (lastLine > 0 && lastLine >= lines.Count)
        {
            lastLine--;
        }

        // sequence.End points at the first line after the list; skip back over blank lines and comments.
        var insertAt = (int)sequence.End.Line - 1;
        if ((int)sequence.End.Column > 1)
        {
            insertAt++;
        }

        while (insertAt > 0 && insertAt <= lines.Count && (lines[insertAt - 1].Trim().Length == 0 || lines[insertAt - 1].TrimStart().StartsWith('#')))
        {
            insertAt--;
        }

        lines.InsertRange(Math.Min(insertAt, lines.Count), [$"{itemIndent}- name: {site}", $"{itemIndent}  tokens: [{hash}]"]);
        return string.Join('\n', lines);
    }
}
