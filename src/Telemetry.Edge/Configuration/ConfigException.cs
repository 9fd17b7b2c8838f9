namespace Telemetry.Edge.Configuration;

/// <summary>
/// A configuration the agent refuses: the message names the file, line, column and key, says what is wrong and
/// what is expected ("edge.yaml:12:5: sources[0].interval: '1x' is not a duration; expected e.g. 500ms, 1s, 2m").
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigException(string file, int line, int column, string key, string problem)
        : base(Format(file, line, column, key, problem))
    {
        File = file;
        Line = line;
        Column = column;
        Key = key;
    }

    public string? File { get; }

    public int Line { get; }

    public int Column { get; }

    public string? Key { get; }

    private static string Format(string file, int line, int column, string key, string problem) =>
        key.Length == 0 ? $"{file}:{line}:{column}: {problem}" : $"{file}:{line}:{column}: {key}: {problem}";
}
