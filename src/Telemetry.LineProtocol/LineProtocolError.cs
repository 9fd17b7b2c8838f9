namespace Telemetry.LineProtocol;

/// <summary>What is wrong with a line (or with a value given to the writer). The parser's reasons follow
/// InfluxDB 1.x's wording (models/points.go) where InfluxDB has one.</summary>
public enum LineProtocolError
{
    None = 0,
    MissingMeasurement,
    MissingFields,
    MissingTagKey,
    MissingTagValue,
    InvalidTagFormat,
    DuplicateTags,
    MissingFieldKey,
    MissingFieldValue,
    InvalidFieldFormat,
    InvalidNumber,
    InvalidBoolean,
    ValueOutOfRange,
    UnbalancedQuotes,
    BadTimestamp,
    TimeOutsideRange,
    InvalidPoint,
    InvalidUtf8,
    LineTooLong,
    TooManyTags,
    TooManyFields,
    NameTooLong,
    StringTooLong,

    // writer-side errors (values that line protocol cannot carry)
    EmptyName,
    NewlineInName,
    TrailingBackslash,
    BackslashBeforeSpecial,
    InvalidUtf16,
    NotFinite,
    InvalidMeasurementStart,

    // schema errors (SampleLineDecoder / SampleLineEncoder)
    SchemaMismatch,
}

internal static class LineProtocolErrorText
{
    public static string Reason(LineProtocolError error) => error switch
    {
        LineProtocolError.MissingMeasurement => "missing measurement",
        LineProtocolError.MissingFields => "missing fields",
        LineProtocolError.MissingTagKey => "missing tag key",
        LineProtocolError.MissingTagValue => "missing tag value",
        LineProtocolError.InvalidTagFormat => "invalid tag format",
        LineProtocolError.DuplicateTags => "duplicate tags",
        LineProtocolError.MissingFieldKey => "missing field key",
        LineProtocolError.MissingFieldValue => "missing field value",
        LineProtocolError.InvalidFieldFormat => "invalid field format",
        LineProtocolError.InvalidNumber => "invalid number",
        LineProtocolError.InvalidBoolean => "invalid boolean",
        LineProtocolError.ValueOutOfRange => "value out of range",
        LineProtocolError.UnbalancedQuotes => "unbalanced quotes",
        LineProtocolError.BadTimestamp => "bad timestamp",
        LineProtocolError.TimeOutsideRange => "time outside range",
        LineProtocolError.InvalidPoint => "point is invalid: unexpected characters after the timestamp",
        LineProtocolError.InvalidUtf8 => "invalid UTF-8",
        LineProtocolError.LineTooLong => "line too long",
        LineProtocolError.TooManyTags => "too many tags",
        LineProtocolError.TooManyFields => "too many fields",
        LineProtocolError.NameTooLong => "max key length exceeded",
        LineProtocolError.StringTooLong => "string field value too long",
        _ => error.ToString(),
    };
}
