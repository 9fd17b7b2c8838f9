using System.Net;
using Telemetry.Edge.Forwarding;
using Telemetry.Storage;

namespace Telemetry.Edge.Configuration;

/// <summary>Where a value stood in the file, for errors found after loading (e.g. an unknown simulator profile).</summary>
public sealed record ConfigLocation(string File, int Line, int Column, string Key)
{
    public ConfigException Error(string problem) => new(File, Line, Column, Key, problem);
}

/// <summary>The whole edge configuration (one YAML file), validated when loaded.</summary>
public sealed record EdgeConfig
{
    public required string EdgeId { get; init; }

    public required string Site { get; init; }

    /// <summary>Spool, quarantine and PKI live here.</summary>
    public required string DataDirectory { get; init; }

    public required IPEndPoint WebListen { get; init; }

    public required SpoolSettings Spool { get; init; }

    /// <summary>Null: the edge only buffers (and shows its live page) until a datacenter is configured.</summary>
    public DatacenterOptions? Datacenter { get; init; }

    public required IReadOnlyList<SourceConfig> Sources { get; init; }

    public LogSettings Log { get; init; } = new(LogFormat.Auto, Microsoft.Extensions.Logging.LogLevel.Information);

    /// <summary>The agent as an OPC UA client (`opcua:`: PKI folder, ApplicationUri); null only for configs built in code.</summary>
    public Telemetry.Edge.OpcUa.OpcUaClientSettings? OpcUa { get; init; }

    public string SpoolDirectory => Path.Combine(DataDirectory, "spool");

    public string QuarantineDirectory => Path.Combine(DataDirectory, "quarantine");
}

/// <summary>How the agent logs: Auto is journald-friendly under systemd and one line per entry otherwise.</summary>
public enum LogFormat
{
    Auto,
    Text,
    Json,
    Systemd,
}

public sealed record LogSettings(LogFormat Format, Microsoft.Extensions.Logging.LogLevel Level);

public sealed record SpoolSettings(long? MaxDiskBytes, SpoolFullPolicy WhenFull, long SegmentBytes);

/// <summary>One source of the config; the type decides which subclass.</summary>
public abstract record SourceConfig(string Name, ConfigLocation Location)
{
    public abstract string Type { get; }
}

/// <summary>`type: simulator` — machines played in process from hardware profiles.</summary>
public sealed record SimulatorSourceConfig(
    string Name,
    ConfigLocation Location,
    TimeSpan Interval,
    double Speed,
    int Seed,
    IReadOnlyList<SimulatedMachineConfig> Machines) : SourceConfig(Name, Location)
{
    public override string Type => "simulator";
}

public sealed record SimulatedMachineConfig(string Name, string Profile, string Area, string Line, ConfigLocation ProfileLocation);
