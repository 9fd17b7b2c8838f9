namespace Telemetry.Core;

/// <summary>Coarse quality of a sample, as OPC UA's status code severity bits define it (OPC 10000-4 §7.39).</summary>
public enum QualityLevel : byte
{
    Good = 0,
    Uncertain = 1,
    Bad = 2,
}

/// <summary>
/// Quality of a sample: the coarse level plus the raw status code of the source (an OPC UA StatusCode, or 0 /
/// a mapped code for sources that have none). The raw code is kept so nothing the PLC said is lost.
/// </summary>
public readonly record struct Quality(QualityLevel Level, uint SourceStatus)
{
    public static Quality Good => default;

    /// <summary>OPC UA Bad_NoCommunication (0x80310000): used when a source lost its device.</summary>
    public static Quality BadNoCommunication => new(QualityLevel.Bad, 0x80310000);

    /// <summary>OPC UA Uncertain (0x40000000).</summary>
    public static Quality Uncertain => new(QualityLevel.Uncertain, 0x40000000);

    /// <summary>OPC UA Bad (0x80000000).</summary>
    public static Quality Bad => new(QualityLevel.Bad, 0x80000000);

    public bool IsGood => Level == QualityLevel.Good;

    /// <summary>Maps an OPC UA StatusCode by its two severity bits (00 good, 01 uncertain, 10/11 bad).</summary>
    public static Quality FromOpcUaStatus(uint statusCode) => new(
        (statusCode >> 30) switch
        {
            0 => QualityLevel.Good,
            1 => QualityLevel.Uncertain,
            _ => QualityLevel.Bad,
        },
        statusCode);
}
