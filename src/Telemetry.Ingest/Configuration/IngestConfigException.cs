namespace Telemetry.Ingest.Configuration;

/// <summary>
/// A configuration the service refuses: the message names the file, line, column and key, what is wrong and what
/// is expected ("ingest.yaml:12:5: store.url: 'x' is not a valid URL; expected http://host:port").
/// </summary>
public sealed class IngestConfigException : Exception
{
    public IngestConfigException()
    {
    }

    public IngestConfigException(string message)
        : base(message)
    {
    }

    public IngestConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IngestConfigException(string file, int line, int column, string key, string problem)
        : base(key.Length == 0 ? $"{file}:{line}:{column}: {problem}" : $"{file}:{line}:{column}: {key}: {problem}")
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
}
