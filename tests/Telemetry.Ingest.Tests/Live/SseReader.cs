using System.Text;

namespace Telemetry.Ingest.Tests.Live;

/// <summary>Reads server-sent events off a response stream: (event name, data); comments come back as (":", text).</summary>
public sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    public async Task<(string Event, string Data)> ReadAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (name is not null || data.Length > 0)
                {
                    return (name ?? "message", data.ToString());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                return (":", line[1..].Trim());
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line["data: ".Length..]);
            }
        }
    }

    /// <summary>The next event that is not a comment.</summary>
    public async Task<(string Event, string Data)> ReadEventAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var e = await ReadAsync(cancellationToken);
            if (e.Event != ":")
            {
                return e;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
