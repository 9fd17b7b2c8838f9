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

/// <summary>A snapshot of a source's health: read by the live API, the dashboard and the metrics endpoint.</summary>
public sealed record SourceHealth(
    string Name,
    string Kind,
    SourceLinkState State,
    long SamplesReceived,
    long LastSampleUnixNs,
    string? LastError);

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
