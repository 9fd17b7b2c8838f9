namespace Telemetry.Edge.Checks;

/// <summary>What `telemetry-edge check` learned about one source or the datacenter.</summary>
public sealed record ProbeResult
{
    public required bool Ok { get; init; }

    /// <summary>e.g. "None", "Basic256Sha256 SignAndEncrypt", "https (TLS 1.3)", "http (not encrypted)".</summary>
    public string? Security { get; init; }

    public int? TagCount { get; init; }

    /// <summary>A few current values, e.g. "spindle_speed=1200.5, state=running".</summary>
    public string? Sample { get; init; }

    public TimeSpan? Latency { get; init; }

    /// <summary>What is wrong (when not <see cref="Ok"/>), or a remark.</summary>
    public string? Problem { get; init; }

    /// <summary>How to fix it, in the technician's words.</summary>
    public string? Hint { get; init; }

    public static ProbeResult Failed(string problem, string hint, TimeSpan? latency = null, string? security = null) =>
        new() { Ok = false, Problem = problem, Hint = hint, Latency = latency, Security = security };
}

/// <summary>Tries one thing the agent depends on (a PLC, a broker, the datacenter) the way the agent will use it.</summary>
public interface IConnectivityProbe
{
    /// <summary>"source plc-1 (opcua)", "datacenter".</summary>
    string What { get; }

    /// <summary>"opc.tcp://10.0.0.5:4840", "https://ingest.example.org (telemetry-ingest)".</summary>
    string Target { get; }

    Task<ProbeResult> RunAsync(CancellationToken cancellationToken);
}
