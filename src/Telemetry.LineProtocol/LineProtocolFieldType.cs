namespace Telemetry.LineProtocol;

/// <summary>The type of a field value, decided by its syntax: <c>1.5</c>, <c>1i</c>, <c>1u</c>, <c>t</c>, <c>"s"</c>.</summary>
public enum LineProtocolFieldType : byte
{
    Float = 0,
    Integer = 1,
    Unsigned = 2,
    Boolean = 3,
    String = 4,
}
