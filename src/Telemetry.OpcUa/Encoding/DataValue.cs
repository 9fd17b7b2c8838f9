namespace Telemetry.OpcUa.Encoding;

/// <summary>
/// A value with its status and timestamps (OPC 10000-4 §7.11). A timestamp of <see cref="DateTime.MinValue"/>
/// means "not sent". A struct: decoding a numeric DataValue allocates nothing.
/// </summary>
public readonly record struct DataValue(
    Variant Value,
    StatusCode StatusCode = default,
    DateTime SourceTimestamp = default,
    DateTime ServerTimestamp = default,
    ushort SourcePicoseconds = 0,
    ushort ServerPicoseconds = 0);
