namespace Telemetry.LineProtocol;

/// <summary>
/// The one exception of this library. From the parser it carries where the line is malformed: <see cref="Line"/>
/// is the 1-based physical line of the input (newlines inside string field values count), <see cref="Column"/>
/// the 1-based <b>byte</b> offset within that physical line (not characters). From the writer and the sample
/// schema <see cref="Line"/> and <see cref="Column"/> are 0 (no input position).
/// The message reads like InfluxDB 1.x's: <c>unable to parse 'LINE': REASON (line L, column C)</c>.
/// </summary>
public sealed class LineProtocolException : Exception
{
    public LineProtocolException()
        : this("Invalid line protocol.")
    {
    }

    public LineProtocolException(string message)
        : base(message)
    {
    }

    public LineProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LineProtocolException(LineProtocolError error, string message)
        : base(message)
    {
        Error = error;
        Reason = message;
    }

    public LineProtocolException(LineProtocolError error, string reason, int line, int column, string lineText)
        : base($"unable to parse '{lineText}': {reason} (line {line}, column {column})")
    {
        Error = error;
        Reason = reason;
        Line = line;
        Column = column;
    }

    public LineProtocolError Error { get; }

    /// <summary>The reason alone, e.g. "invalid field format".</summary>
    public string Reason { get; } = string.Empty;

    /// <summary>1-based physical line in the parsed input; 0 when the error is not about parsed input.</summary>
    public int Line { get; }

    /// <summary>1-based byte column within <see cref="Line"/>; 0 when the error is not about parsed input.</summary>
    public int Column { get; }
}
