namespace Telemetry.Core;

/// <summary>Link state of a source to its device or broker, as the dashboard and `status` show it.</summary>
public enum SourceLinkState : byte
{
    Starting = 0,
    Connected = 1,
    Reconnecting = 2,
    Disconnected = 3,
    Faulted = 4,
}

/// <summary>
/// A snapshot of a source's health: read by the live API, the dashboard and the metrics endpoint.
/// <paramref name="SourceOverflows"/>: values the device flagged as coming after values it discarded itself (OPC UA's
/// Overflow bit: the server's queue for the item was full), so data was lost before it reached the agent.
/// </summary>
public sealed record SourceHealth(
    string Name,
    string Kind,
    SourceLinkState State,
    long SamplesReceived,
    long LastSampleUnixNs,
    string? LastError,
    long SourceOverflows = 0);

/// <summary>
/// A producer of samples (OPC UA, MQTT, simulator). It runs until cancelled, writes into the sink and never
/// blocks on the network to the datacenter: the sink is the spool.
/// </summary>
public interface ISampleSource
{
    string Name { get; }

    /// <summary>"opcua", "mqtt", "simulator", …</summary>
    string Kind { get; }

    SourceHealth GetHealth();

    Task RunAsync(ISampleSink sink, CancellationToken cancellationToken = default);
}
