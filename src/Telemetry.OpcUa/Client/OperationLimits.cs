namespace Telemetry.OpcUa.Client;

/// <summary>
/// The server's Server/ServerCapabilities/OperationLimits (OPC 10000-5 §6.3.11), read once per session;
/// 0 from the server means "no limit" and becomes <see cref="int.MaxValue"/>. Calls are split to fit.
/// </summary>
public sealed record OperationLimits(int MaxNodesPerRead, int MaxNodesPerBrowse, int MaxNodesPerTranslateBrowsePaths, int MaxMonitoredItemsPerCall)
{
    public static OperationLimits Unlimited { get; } = new(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue);

    internal static int Normalize(uint value) => value == 0 || value > int.MaxValue ? int.MaxValue : (int)value;
}
