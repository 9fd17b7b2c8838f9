namespace Telemetry.Storage.Format;

/// <summary>Every length read from disk is checked against one of these before anything is allocated.</summary>
public static class SpoolLimits
{
    /// <summary>Largest record payload (a batch bigger than this is split into several records).</summary>
    public const int MaxPayloadBytes = 16 * 1024 * 1024;

    /// <summary>Most samples in one record; larger batches are split.</summary>
    public const int MaxSamplesPerRecord = 65_536;

    /// <summary>Longest string value (UTF-8 bytes).</summary>
    public const int MaxStringBytes = 1024 * 1024;

    /// <summary>Longest asset path segment (UTF-8 bytes).</summary>
    public const int MaxNameBytes = 4096;
}
