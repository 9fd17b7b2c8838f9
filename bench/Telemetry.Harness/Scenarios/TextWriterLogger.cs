using Microsoft.Extensions.Logging;

namespace Telemetry.Harness.Scenarios;

/// <summary>
/// An <see cref="ILogger"/> that writes Information and above as "[prefix] HH:mm:ss message" lines into the harness
/// log, so a library run by a scenario (the Node-RED anchor) shows its progress beside the scenario's own lines.
/// </summary>
internal sealed class TextWriterLogger(TextWriter writer, string prefix) : ILogger
{
    private readonly Lock _gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"[{prefix}] {DateTime.UtcNow:HH:mm:ss} {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.Message)}";
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
