namespace Telemetry.OpcUa.Encoding;

/// <summary>
/// Every length read from the wire is checked against one of these BEFORE anything is allocated (DESIGN.md §2).
/// Immutable; <see cref="Default"/> suits a PLC gateway.
/// </summary>
public sealed record UaLimits
{
    public static readonly UaLimits Default = new();

    /// <summary>Longest String / XmlElement in bytes.</summary>
    public int MaxStringLength { get; init; } = 1 << 20;

    /// <summary>Longest ByteString in bytes.</summary>
    public int MaxByteStringLength { get; init; } = 16 << 20;

    /// <summary>Most elements of one array (also the product of a matrix's dimensions).</summary>
    public int MaxArrayLength { get; init; } = 1 << 20;

    /// <summary>Deepest nesting of Variant / DataValue / DiagnosticInfo / ExtensionObject (stack safety).</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>Largest whole message (all chunks), offered in HEL and enforced on receive.</summary>
    public int MaxMessageSize { get; init; } = 64 << 20;

    /// <summary>Most chunks of one message, offered in HEL and enforced on receive.</summary>
    public int MaxChunkCount { get; init; } = 4096;

    /// <summary>Our receive buffer (largest chunk we accept), offered in HEL.</summary>
    public int ReceiveBufferSize { get; init; } = 1 << 16;

    /// <summary>Our send buffer (largest chunk we send), offered in HEL.</summary>
    public int SendBufferSize { get; init; } = 1 << 16;
}
